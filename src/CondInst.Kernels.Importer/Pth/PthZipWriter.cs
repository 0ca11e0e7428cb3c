using System.Buffers.Binary;
using System.Text;
using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>
/// Writes zip archives the way torch.save does (stored entries, data aligned to 64 bytes by padding the local
/// extra field). With <c>zip64</c> the central directory and end records take the zip64 form torch uses for files
/// over 4 GiB (sizes and offsets 0xFFFFFFFF, real values in the extra field), so tests can cover that path with
/// small files. Used by tests and the benchmark to produce .pth files without Python; the importer never writes .pth.
/// </summary>
internal sealed class PthZipWriter : IDisposable
{
    private readonly Stream _out;
    private readonly List<(string Name, long Offset, long Size, uint Crc)> _entries = [];

    private readonly bool _zip64;

    public PthZipWriter(Stream output, bool zip64 = false)
    {
        _out = output;
        _zip64 = zip64;
    }

    /// <summary>A state-dict checkpoint (<see cref="PickleWriter.StateDict"/>) in archive folder <paramref name="archive"/>.</summary>
    public static void WriteCheckpoint(Stream output, IReadOnlyList<CheckpointTensor> tensors, IReadOnlyDictionary<string, object?>? meta, string archive = "archive")
    {
        using var zip = new PthZipWriter(output);
        zip.Add($"{archive}/data.pkl", PickleWriter.StateDict(tensors, meta));
        for (int i = 0; i < tensors.Count; i++) zip.Add($"{archive}/data/{i}", tensors[i].Data.Span);
        zip.Add($"{archive}/version", "3\n"u8);
    }

    /// <summary>Adds a stored entry; <paramref name="knownCrc"/> skips computing the CRC-32 when the caller has it.</summary>
    public void Add(string name, ReadOnlySpan<byte> data, uint? knownCrc = null)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        long offset = _out.Position;
        // Pad the local extra field ("FB" tag, as torch does) so the data starts on a 64-byte boundary.
        long dataStart = offset + 30 + nameBytes.Length + 4;
        int pad = (int)((64 - dataStart % 64) % 64);
        Span<byte> h = stackalloc byte[30];
        h.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 20);
        uint crc = knownCrc ?? Crc32.Compute(data);
        BinaryPrimitives.WriteUInt32LittleEndian(h[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[18..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], (uint)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)(4 + pad));
        _out.Write(h);
        _out.Write(nameBytes);
        Span<byte> extra = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x4246); // "FB"
        BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)pad);
        _out.Write(extra);
        for (int i = 0; i < pad; i++) _out.WriteByte((byte)'Z');
        _out.Write(data);
        _entries.Add((name, offset, data.Length, crc));
    }

    /// <summary>Writes the central directory and the end record(s).</summary>
    public void Dispose()
    {
        long dirStart = _out.Position;
        Span<byte> c = stackalloc byte[46];
        Span<byte> extra = stackalloc byte[28];
        foreach (var (name, offset, size, crc) in _entries)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            c.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(c, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(c[4..], 45);
            BinaryPrimitives.WriteUInt16LittleEndian(c[6..], 45);
            BinaryPrimitives.WriteUInt32LittleEndian(c[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(c[20..], _zip64 ? 0xFFFFFFFF : (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(c[24..], _zip64 ? 0xFFFFFFFF : (uint)size);
            BinaryPrimitives.WriteUInt16LittleEndian(c[28..], (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(c[30..], (ushort)(_zip64 ? 28 : 0));
            BinaryPrimitives.WriteUInt32LittleEndian(c[42..], _zip64 ? 0xFFFFFFFF : (uint)offset);
            _out.Write(c);
            _out.Write(nameBytes);
            if (_zip64)
            {
                // Tag 1: uncompressed size, compressed size, local header offset (the fields set to 0xFFFFFFFF).
                BinaryPrimitives.WriteUInt16LittleEndian(extra, 1);
                BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 24);
                BinaryPrimitives.WriteUInt64LittleEndian(extra[4..], (ulong)size);
                BinaryPrimitives.WriteUInt64LittleEndian(extra[12..], (ulong)size);
                BinaryPrimitives.WriteUInt64LittleEndian(extra[20..], (ulong)offset);
                _out.Write(extra);
            }
        }
        long dirSize = _out.Position - dirStart;
        if (_zip64)
        {
            long record = _out.Position;
            Span<byte> z = stackalloc byte[56];
            z.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(z, 0x06064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(z[4..], 44);
            BinaryPrimitives.WriteUInt16LittleEndian(z[12..], 45);
            BinaryPrimitives.WriteUInt16LittleEndian(z[14..], 45);
            BinaryPrimitives.WriteUInt64LittleEndian(z[24..], (ulong)_entries.Count);
            BinaryPrimitives.WriteUInt64LittleEndian(z[32..], (ulong)_entries.Count);
            BinaryPrimitives.WriteUInt64LittleEndian(z[40..], (ulong)dirSize);
            BinaryPrimitives.WriteUInt64LittleEndian(z[48..], (ulong)dirStart);
            _out.Write(z);
            Span<byte> l = stackalloc byte[20];
            l.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(l, 0x07064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(l[8..], (ulong)record);
            BinaryPrimitives.WriteUInt32LittleEndian(l[16..], 1);
            _out.Write(l);
        }
        Span<byte> e = stackalloc byte[22];
        e.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(e, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(e[8..], _zip64 ? (ushort)0xFFFF : (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(e[10..], _zip64 ? (ushort)0xFFFF : (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(e[12..], _zip64 ? 0xFFFFFFFF : (uint)dirSize);
        BinaryPrimitives.WriteUInt32LittleEndian(e[16..], _zip64 ? 0xFFFFFFFF : (uint)dirStart);
        _out.Write(e);
    }
}
