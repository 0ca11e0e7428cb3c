using System.Buffers.Binary;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Pth;

namespace CondInst.Kernels.Tests.Importer;

/// <summary>
/// Seeded mutations of real checkpoints: whatever the damage, loading either succeeds (and every tensor can be read)
/// or throws <see cref="ImporterException"/>; never IndexOutOfRange, NullReference, OutOfMemory, InvalidCast....
/// </summary>
public sealed class ImporterFuzzTests
{
    // CONDINST_FUZZ_SCALE=N runs N times as many mutations and CONDINST_FUZZ_SEED=S changes the seed (a longer
    // local hunt); the normal run is 300 mutations from seed 20250611.
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("CONDINST_FUZZ_SEED"), out int seed) ? seed : 20250611;
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("CONDINST_FUZZ_SCALE"), out int s) && s > 0 ? s : 1;

    private sealed record Target(string Name, Func<Random, byte[]> Mutate, int Runs);

    [Fact]
    public void MutatedCheckpointsFailOnlyWithImporterException()
    {
        var targets = Targets();
        Assert.Equal(300, targets.Sum(t => t.Runs));
        targets = targets.Select(t => t with { Runs = t.Runs * Scale }).ToList();
        var rng = new Random(Seed);
        var failures = new List<string>();
        int loaded = 0;
        var unrefused = new List<string>();
        foreach (var target in targets)
        {
            int refused = 0;
            for (int run = 0; run < target.Runs; run++)
            {
                byte[] bytes = target.Mutate(rng);
                try
                {
                    using var ckpt = Checkpoint.LoadBytes(bytes, target.Name);
                    foreach (var t in ckpt.Tensors.Values)
                    {
                        if (t.ElementCount <= 4096) _ = t.ToFloat32();
                        else _ = t.Data.Span[^1];
                    }
                    _ = ckpt.Settings.Describe();
                    loaded++;
                }
                catch (ImporterException)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    failures.Add($"{target.Name} run {run} (seed {Seed}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
            }
            if (refused == 0) unrefused.Add(target.Name);
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(5)));
        // Both outcomes occur: every target's mutations reach the importer's checks (some are refused), and not
        // every damaged file is refused (some mutations are harmless and must load).
        Assert.True(unrefused.Count == 0, "mutations never refused (the mutator misses the checks): " + string.Join(", ", unrefused));
        Assert.True(loaded > 0, "every mutated file was refused, including harmless mutations");
    }

    private static List<Target> Targets()
    {
        byte[] mini = File.ReadAllBytes(ImporterFiles.Mini);
        byte[] legacy = File.ReadAllBytes(ImporterFiles.MiniLegacy);
        byte[] variants = Convert.FromBase64String(TorchExpected.VariantsZip);
        byte[] variantsLegacy = Convert.FromBase64String(TorchExpected.VariantsLegacy);
        var miniEntries = Entries(mini);
        var variantEntries = Entries(variants);
        byte[] safetensors;
        using (var dir = new TempDir())
        using (var ckpt = Checkpoint.LoadBytes(variants, "variants.pth"))
        {
            ckpt.SaveSafetensors(dir.File("v.safetensors"));
            safetensors = File.ReadAllBytes(dir.File("v.safetensors"));
        }
        int miniDirectory = (int)BinaryPrimitives.ReadUInt32LittleEndian(mini.AsSpan(mini.Length - 22 + 16));
        int stHeader = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(safetensors);
        return
        [
            // Zip structure: local headers at the start, the central directory and end record at the end.
            new("mini.pth", r => Mutate(r, mini, r.Next(2) == 0 ? (0, 200) : (miniDirectory, mini.Length)), 40),
            // Legacy: the five pickles (first 80 KB) and the storage records after them.
            new("mini_legacy.pth", r => Mutate(r, legacy, r.Next(4) == 0 ? (0, legacy.Length) : (0, 80_000)), 50),
            // The real pickle, damaged, re-zipped with a valid CRC so the pickle machine sees it.
            new("mini.pth (pickle)", r => Rezip(r, miniEntries), 40),
            new("variants.pth (pickle)", r => Rezip(r, variantEntries), 60),
            new("variants_legacy.pth", r => Mutate(r, variantsLegacy, (0, variantsLegacy.Length)), 60),
            new("variants.safetensors", r => Mutate(r, safetensors, r.Next(4) == 0 ? (0, safetensors.Length) : (0, stHeader)), 50),
        ];
    }

    private static List<(string Name, byte[] Data, uint? Crc)> Entries(byte[] zip)
    {
        using var src = CondInst.Kernels.Importer.IO.ByteSource.FromArray("zip", zip);
        return ZipDirectory.Read(src).Values.OrderBy(e => e.DataOffset)
            .Select(e => (e.Name, zip.AsSpan((int)e.DataOffset, (int)e.Size).ToArray(), (uint?)e.Crc32)).ToList();
    }

    private static byte[] Rezip(Random r, List<(string Name, byte[] Data, uint? Crc)> entries)
    {
        var copy = entries.ToList();
        int pkl = copy.FindIndex(e => e.Name.EndsWith("data.pkl", StringComparison.Ordinal));
        copy[pkl] = (copy[pkl].Name, Mutate(r, copy[pkl].Data, (0, copy[pkl].Data.Length)), null);
        return ImporterFiles.Zip(copy);
    }

    private static readonly long[] Interesting = [0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF_FFFF, 0xFFFF_FFFF, long.MaxValue, long.MinValue, 1L << 40];

    /// <summary>One random mutation inside [lo, hi) of a copy of <paramref name="original"/>.</summary>
    private static byte[] Mutate(Random r, byte[] original, (int Lo, int Hi) region)
    {
        var (lo, hi) = region;
        int at = r.Next(lo, hi);
        switch (r.Next(7))
        {
            case 0: // flip bits in 1 to 4 bytes
                {
                    var b = (byte[])original.Clone();
                    for (int k = r.Next(1, 5); k > 0; k--) b[r.Next(lo, hi)] ^= (byte)(1 << r.Next(8));
                    return b;
                }
            case 1: // an interesting byte
                {
                    var b = (byte[])original.Clone();
                    b[at] = (byte)Interesting[r.Next(Interesting.Length)];
                    return b;
                }
            case 2: // an interesting 4- or 8-byte integer
                {
                    var b = (byte[])original.Clone();
                    int width = r.Next(2) == 0 ? 4 : 8;
                    at = Math.Min(at, b.Length - width);
                    BitConverter.GetBytes(Interesting[r.Next(Interesting.Length)]).AsSpan(0, width).CopyTo(b.AsSpan(at));
                    return b;
                }
            case 3: // truncate
                return original[..at];
            case 4: // delete a span
                {
                    int n = Math.Min(r.Next(1, 17), original.Length - at);
                    return [.. original.AsSpan(0, at), .. original.AsSpan(at + n)];
                }
            case 5: // insert random bytes
                {
                    var ins = new byte[r.Next(1, 17)];
                    r.NextBytes(ins);
                    return [.. original.AsSpan(0, at), .. ins, .. original.AsSpan(at)];
                }
            default: // copy a chunk from elsewhere in the region over this place
                {
                    var b = (byte[])original.Clone();
                    int from = r.Next(lo, hi);
                    int n = Math.Min(Math.Min(r.Next(1, 65), b.Length - at), b.Length - from);
                    Array.Copy(original, from, b, at, n);
                    return b;
                }
        }
    }
}
