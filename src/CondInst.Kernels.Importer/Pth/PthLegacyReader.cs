using System.Buffers.Binary;
using System.Numerics;
using CondInst.Kernels.Importer.IO;
using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>
/// Reads torch.save's legacy format (<c>_use_new_zipfile_serialization=False</c>): five pickles in a row (magic
/// number, protocol version 1001, system info, the object, the list of storage keys), then each storage in key
/// order as an 8-byte little-endian element count followed by its raw bytes (viewed in place in the memory map).
/// </summary>
internal static class PthLegacyReader
{
    private static readonly BigInteger Magic = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    private const long ProtocolVersion = 1001;

    public static LoadedParts Read(ByteSource src, ImporterLimits limits)
    {
        long at = 0;
        object? Next(string what, StorageTable? storages = null)
        {
            var unpickler = new Unpickler($"{src.Name}: {what}, file", at, (pid, where) => storages is null
                ? throw new ImporterException($"{where}: persistent id in the {what}, where none may appear")
                : storages.Load(pid, where, legacy: true));
            var (value, length) = unpickler.Load(src.Span(at, (int)Math.Min(src.Length - at, int.MaxValue), what));
            at += length;
            return value;
        }

        var magic = Next("magic number pickle");
        if (!(magic is BigInteger b && b == Magic))
            throw new ImporterException($"{src.Name}: offset 0: expected the legacy .pth magic number 0x1950a86a20f9469cfc6c, found {Unpickler.Describe(magic)}");
        var protocol = Next("protocol version pickle");
        if (protocol is not ProtocolVersion)
            throw new ImporterException($"{src.Name}: expected legacy protocol version {ProtocolVersion}, found {Unpickler.Describe(protocol)}");
        var sysInfo = Next("system info pickle");
        if (sysInfo is PyDict info && info.TryGet("little_endian", out var le) && le is false)
            throw new ImporterException($"{src.Name}: system info says little_endian=False; only little-endian checkpoints are supported");
        var storages = new StorageTable(src.Name);
        var root = Next("object pickle", storages);
        var keysValue = Next("storage key list pickle");
        if (keysValue is not List<object?> keyList || keyList.Any(k => k is not string))
            throw new ImporterException($"{src.Name}: expected the storage key list (a list of strings), found {Unpickler.Describe(keysValue)}");

        // Storage records follow in key-list order; each one's element size comes from the type its id named.
        var records = new Dictionary<string, StorageBytes>(StringComparer.Ordinal);
        foreach (string key in keyList.Cast<string>())
        {
            if (!storages.ByKey.TryGetValue(key, out var s))
                throw new ImporterException($"{src.Name}: offset {at}: storage '{key}' is listed but no tensor references it, so its element size is unknown");
            long count = BinaryPrimitives.ReadInt64LittleEndian(src.Span(at, 8, $"element count of storage '{key}'"));
            int elem = s.DType.Size();
            if (count < 0 || count > (src.Length - at - 8) / elem)
                throw new ImporterException($"{src.Name}: offset {at}: storage '{key}' claims {count} {s.DType.TorchName()} elements ({(count < 0 ? "negative" : $"{count * elem} bytes")}) but only {src.Length - at - 8} bytes follow");
            if (count != s.Numel)
                throw new ImporterException($"{src.Name}: offset {at}: storage '{key}' record holds {count} elements but its id declares {s.Numel}");
            if (!records.TryAdd(key, new StorageBytes(at + 8, count * elem, $"'{key}' (file offset {at})")))
                throw new ImporterException($"{src.Name}: offset {at}: storage '{key}' is listed twice");
            at += 8 + count * elem;
        }

        StorageBytes Locate(StorageRef s)
        {
            if (s.View is { } view)
            {
                var root = Locate(storages.ByKey[view.RootKey]);
                long elem = s.DType.Size();
                if (view.Offset > root.Length / elem || view.Numel > root.Length / elem - view.Offset)
                    throw new ImporterException($"{src.Name}: storage view '{s.Key}' [{view.Offset}, {view.Offset + view.Numel}) lies outside its root {root.Record} of {root.Length / elem} elements");
                return new StorageBytes(root.Offset + view.Offset * elem, view.Numel * elem, $"'{s.Key}' (view of {root.Record})");
            }
            return records.TryGetValue(s.Key, out var r) ? r
                : throw new ImporterException($"{src.Name}: missing storage record '{s.Key}' ({s.Numel} {s.DType.TorchName()} elements): not in the storage key list");
        }

        var (pickled, meta) = PthLayout.Split(src.Name, root);
        var budget = new TensorBudget(src.Name, src.Length, limits);
        var tensors = pickled.Select(kv => TensorBuilder.Build(src, kv.Key, kv.Value, Locate, budget)).ToList();
        return new LoadedParts(CheckpointFormat.PthLegacy, tensors, meta);
    }
}
