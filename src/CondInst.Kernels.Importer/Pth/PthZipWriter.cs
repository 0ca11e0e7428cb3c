using System.Buffers.Binary;
using System.Text;
using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>
/// Writes zip archives the way torch.save does (stored entries, data aligned to 64 bytes by padding the local
/// extra field, zip64 when offsets pass 4 GiB is not needed here and not written). Used by tests and the
/// benchmark to produce .pth files without Python; the importer itself never writes .pth.
/// </summary>
internal sealed class PthZipWriter : IDisposable
{
    private readonly Stream _out;
    private readonly List<(string Name, long Offset, long Size, uint Crc)> _entries = [];

    public PthZipWriter(Stream output) => _out = output;

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

    /// <summary>Writes the central directory and the end record.</summary>
    public void Dispose()
    {
        long dirStart = _out.Position;
        Span<byte> c = stackalloc byte[46];
        foreach (var (name, offset, size, crc) in _entries)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            c.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(c, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(c[4..], 20);
            BinaryPrimitives.WriteUInt16LittleEndian(c[6..], 20);
            BinaryPrimitives.WriteUInt32LittleEndian(c[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(c[20..], (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(c[24..], (uint)size);
            BinaryPrimitives.WriteUInt16LittleEndian(c[28..], (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(c[42..], (uint)offset);
            _out.Write(c);
            _out.Write(nameBytes);
        }
        long dirSize = _out.Position - dirStart;
        Span<byte> e = stackalloc byte[22];
        e.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(e, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(e[10..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(e[12..], (uint)dirSize);
        BinaryPrimitives.WriteUInt32LittleEndian(e[16..], (uint)dirStart);
        _out.Write(e);
    }
}
