using System.Globalization;
using System.Text;
using CondInst.Kernels.Importer.IO;
using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>What a reader found: tensors in file order and the metadata as plain values.</summary>
internal sealed record LoadedParts(CheckpointFormat Format, List<CheckpointTensor> Tensors, IReadOnlyDictionary<string, object?> Meta);

/// <summary>
/// Reads torch.save's zip format: <c>ARCHIVE/data.pkl</c> (the pickle), <c>ARCHIVE/data/KEY</c> (one stored entry
/// per storage, viewed in place in the memory map), <c>ARCHIVE/byteorder</c> (must say little; absent before
/// torch 2.1, which wrote little-endian only) and <c>ARCHIVE/version</c>.
/// </summary>
internal static class PthZipReader
{
    private const string PickleName = "data.pkl";

    public static LoadedParts Read(ByteSource src, ImporterLimits limits)
    {
        var entries = ZipDirectory.Read(src);
        var pickles = entries.Keys.Where(n => n.EndsWith(PickleName, StringComparison.Ordinal)
            && (n.Length == PickleName.Length || (n[^(PickleName.Length + 1)] == '/' && n.IndexOf('/') == n.Length - PickleName.Length - 1))).ToList();
        if (pickles.Count != 1)
        {
            string listing = string.Join(", ", entries.Keys.Take(6).Select(n => $"'{n}'")) + (entries.Count > 6 ? ", ..." : "");
            throw new ImporterException(pickles.Count == 0
                ? $"{src.Name}: zip archive has no 'ARCHIVE/data.pkl' entry (found {entries.Count} entries: {listing}); not a PyTorch checkpoint"
                : $"{src.Name}: zip archive has {pickles.Count} data.pkl entries ({string.Join(", ", pickles)}); expected one");
        }
        string prefix = pickles[0][..^PickleName.Length];

        if (entries.TryGetValue(prefix + "byteorder", out var order))
        {
            string value = Text(src, order).Trim();
            if (value != "little")
                throw new ImporterException($"{src.Name}: entry '{order.Name}' says '{value}'; only little-endian checkpoints are supported");
        }
        if (entries.TryGetValue(prefix + "version", out var ver))
        {
            string value = Text(src, ver).Trim();
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < 1 || v > 20)
                throw new ImporterException($"{src.Name}: entry '{ver.Name}' holds '{(value.Length > 20 ? value[..20] : value)}'; expected a format version from 1 to 20");
        }

        var pkl = entries[pickles[0]];
        if (pkl.Size > int.MaxValue) throw new ImporterException($"{src.Name}: entry '{pkl.Name}' of {pkl.Size} bytes; pickles over 2 GiB are not supported");
        var data = src.Span(pkl.DataOffset, (int)pkl.Size, $"entry '{pkl.Name}'");
        CheckCrc(src, pkl, data);
        var storages = new StorageTable(src.Name);
        var unpickler = new Unpickler($"{src.Name}: entry '{pkl.Name}', file", pkl.DataOffset, (pid, where) => storages.Load(pid, where, legacy: false));
        var (root, _) = unpickler.Load(data);
        var (pickled, meta) = PthLayout.Split(src.Name, root);

        StorageBytes Locate(StorageRef s)
        {
            string record = prefix + "data/" + s.Key;
            if (!entries.TryGetValue(record, out var e))
                throw new ImporterException($"{src.Name}: missing storage record '{record}' (storage '{s.Key}', {s.Numel} {s.DType.TorchName()} elements)");
            return new StorageBytes(e.DataOffset, e.Size, $"'{record}'");
        }

        var budget = new TensorBudget(src.Name, src.Length, limits);
        var tensors = pickled.Select(kv => TensorBuilder.Build(src, kv.Key, kv.Value, Locate, budget)).ToList();
        return new LoadedParts(CheckpointFormat.PthZip, tensors, meta);
    }

    private static string Text(ByteSource src, ZipEntry e)
    {
        if (e.Size > 64) throw new ImporterException($"{src.Name}: entry '{e.Name}' has {e.Size} bytes; expected a short text");
        var bytes = src.Span(e.DataOffset, (int)e.Size, $"entry '{e.Name}'");
        CheckCrc(src, e, bytes);
        return Encoding.ASCII.GetString(bytes);
    }

    private static void CheckCrc(ByteSource src, ZipEntry e, ReadOnlySpan<byte> bytes)
    {
        // Only the small structural entries are checked: storages stay unread until used (zero-copy).
        uint crc = Crc32.Compute(bytes);
        if (crc != e.Crc32)
            throw new ImporterException($"{src.Name}: entry '{e.Name}' (offset {e.DataOffset}, {e.Size} bytes): CRC-32 0x{crc:x8} does not match the directory's 0x{e.Crc32:x8} (corrupt file)");
    }
}
