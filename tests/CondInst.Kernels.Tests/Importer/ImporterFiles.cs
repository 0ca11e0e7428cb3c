using System.Security.Cryptography;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Pth;

namespace CondInst.Kernels.Tests.Importer;

/// <summary>Paths of the checkpoints the importer tests read, and a scratch folder per test.</summary>
internal static class ImporterFiles
{
    public static string Mini => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "mini.pth");

    public static string MiniLegacy => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "mini_legacy.pth");

    /// <summary>The demo model the repository ships in weights/shapes (found from the test binaries upwards).</summary>
    public static string Shapes
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CondInst.Kernels.sln")))
                    return Path.Combine(dir.FullName, "weights", "shapes", "shapes.pth");
            }
            throw new InvalidOperationException("repository root (CondInst.Kernels.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A zip .pth (torch layout) of <paramref name="tensors"/>, in memory.</summary>
    public static byte[] ZipPth(IReadOnlyList<CheckpointTensor> tensors, IReadOnlyDictionary<string, object?>? meta = null)
    {
        using var ms = new MemoryStream();
        PthZipWriter.WriteCheckpoint(ms, tensors, meta);
        return ms.ToArray();
    }

    /// <summary>A zip archive of the given entries (torch's layout: stored, 64-byte aligned).</summary>
    public static byte[] Zip(params (string Name, byte[] Data)[] entries) => Zip(entries.Select(e => (e.Name, e.Data, (uint?)null)));

    /// <summary>A zip archive of the given entries; a known CRC-32 is used as given (so a wrong one can be written too).</summary>
    public static byte[] Zip(IEnumerable<(string Name, byte[] Data, uint? Crc)> entries, bool zip64 = false)
    {
        using var ms = new MemoryStream();
        using (var zip = new PthZipWriter(ms, zip64))
        {
            foreach (var (name, data, crc) in entries) zip.Add(name, data, crc);
        }
        return ms.ToArray();
    }

    public static CheckpointTensor F32(string name, int[] shape, params float[] values) =>
        new(name, TensorDType.Float32, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("condinst-importer").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, true);
}
