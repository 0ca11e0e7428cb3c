using System.Buffers.Binary;
using System.Text;
using CondInst.Kernels.Importer.IO;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>One stored entry of a zip archive: where its bytes lie in the file.</summary>
internal sealed record ZipEntry(string Name, long DataOffset, long Size, uint Crc32);

/// <summary>
/// A minimal zip central-directory reader (with zip64) for PyTorch's archives.
/// </summary>
/// <remarks>
/// Written here rather than using System.IO.Compression.ZipArchive because ZipArchive only hands out streams:
/// it never tells where an entry's bytes lie in the file, and the importer needs those offsets to view every
/// storage directly in the memory map (no copy of a 100+ MB checkpoint). torch.save writes every entry stored
/// (method 0, uncompressed); anything compressed or encrypted is refused with a clear message rather than inflated.
/// </remarks>
internal static class ZipDirectory
{
    private const uint EndOfCentralDirectory = 0x06054b50;
    private const uint Zip64Locator = 0x07064b50;
    private const uint Zip64End = 0x06064b50;
    private const uint CentralHeader = 0x02014b50;
    private const uint LocalHeader = 0x04034b50;
    private const int MaxEntries = 1_000_000;
    private static readonly UTF8Encoding Strict = new(false, true);

    public static Dictionary<string, ZipEntry> Read(ByteSource src)
    {
        long eocd = FindEndRecord(src);
        var end = src.Span(eocd, 22, "zip end-of-central-directory record");
        long count = BinaryPrimitives.ReadUInt16LittleEndian(end[10..]);
        long dirSize = BinaryPrimitives.ReadUInt32LittleEndian(end[12..]);
        long dirOffset = BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);
        if (count == 0xFFFF || dirSize == 0xFFFFFFFF || dirOffset == 0xFFFFFFFF)
            (count, dirSize, dirOffset) = ReadZip64End(src, eocd);
        if (count > MaxEntries)
            throw new ImporterException($"{src.Name}: zip directory claims {count} entries (at most {MaxEntries} accepted)");
        src.Check(dirOffset, dirSize, $"zip central directory ({count} entries, from offset {dirOffset})");

        var entries = new Dictionary<string, ZipEntry>(StringComparer.Ordinal);
        long p = dirOffset;
        for (long i = 0; i < count; i++)
        {
            var h = src.Span(p, 46, $"zip central directory entry {i}");
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(h);
            if (sig != CentralHeader)
                throw new ImporterException($"{src.Name}: offset {p}: expected zip central directory entry {i} (signature 0x{CentralHeader:x8}), found 0x{sig:x8}");
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
            ushort method = BinaryPrimitives.ReadUInt16LittleEndian(h[10..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
            long csize = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            long usize = BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
            int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            int extraLen = BinaryPrimitives.ReadUInt16LittleEndian(h[30..]);
            int commentLen = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
            long local = BinaryPrimitives.ReadUInt32LittleEndian(h[42..]);
            string name = DecodeName(src, p + 46, nameLen);
            var extra = src.Span(p + 46 + nameLen, extraLen, $"zip entry '{name}' extra field");
            ApplyZip64Extra(src, name, extra, ref usize, ref csize, ref local);
            if ((flags & 1) != 0)
                throw new ImporterException($"{src.Name}: zip entry '{name}' is encrypted; torch.save writes plain stored entries");
            if (method != 0)
                throw new ImporterException($"{src.Name}: zip entry '{name}' is compressed (method {method}); expected stored (method 0) as torch.save writes, e.g. re-save with torch.save or convert to safetensors");
            if (csize != usize)
                throw new ImporterException($"{src.Name}: zip entry '{name}': stored entry with compressed size {csize} != size {usize}");
            long data = LocalDataOffset(src, name, local);
            src.Check(data, usize, $"zip entry '{name}' ({usize} bytes at offset {data})");
            if (!entries.TryAdd(name, new ZipEntry(name, data, usize, crc)))
                throw new ImporterException($"{src.Name}: zip entry '{name}' appears twice in the central directory");
            p += 46L + nameLen + extraLen + commentLen;
        }
        return entries;
    }

    private static long FindEndRecord(ByteSource src)
    {
        // The end record (22 bytes) is followed by a comment of at most 65535 bytes: search backwards from the end.
        long min = Math.Max(0, src.Length - 22 - 65535);
        for (long p = src.Length - 22; p >= min; p--)
        {
            var s = src.Span(p, 4, "zip end record search");
            if (BinaryPrimitives.ReadUInt32LittleEndian(s) == EndOfCentralDirectory) return p;
        }
        throw new ImporterException($"{src.Name}: not a complete zip archive: no end-of-central-directory record (signature 0x{EndOfCentralDirectory:x8}) in the last {src.Length - min} bytes (file of {src.Length} bytes, truncated?)");
    }

    private static (long Count, long Size, long Offset) ReadZip64End(ByteSource src, long eocd)
    {
        long loc = eocd - 20;
        var l = src.Span(loc, 20, "zip64 end-of-central-directory locator");
        if (BinaryPrimitives.ReadUInt32LittleEndian(l) != Zip64Locator)
            throw new ImporterException($"{src.Name}: offset {loc}: expected a zip64 locator (signature 0x{Zip64Locator:x8}) before the end record, found 0x{BinaryPrimitives.ReadUInt32LittleEndian(l):x8}");
        long rec = ReadOffset(src, BinaryPrimitives.ReadUInt64LittleEndian(l[8..]), "zip64 end record offset");
        var r = src.Span(rec, 56, "zip64 end-of-central-directory record");
        if (BinaryPrimitives.ReadUInt32LittleEndian(r) != Zip64End)
            throw new ImporterException($"{src.Name}: offset {rec}: expected a zip64 end record (signature 0x{Zip64End:x8}), found 0x{BinaryPrimitives.ReadUInt32LittleEndian(r):x8}");
        return (ReadOffset(src, BinaryPrimitives.ReadUInt64LittleEndian(r[32..]), "zip64 entry count"),
                ReadOffset(src, BinaryPrimitives.ReadUInt64LittleEndian(r[40..]), "zip64 directory size"),
                ReadOffset(src, BinaryPrimitives.ReadUInt64LittleEndian(r[48..]), "zip64 directory offset"));
    }

    private static void ApplyZip64Extra(ByteSource src, string name, ReadOnlySpan<byte> extra, ref long usize, ref long csize, ref long local)
    {
        // Zip64 extended information (tag 1) holds, in this order, only the fields whose 32-bit value is 0xFFFFFFFF.
        while (extra.Length >= 4)
        {
            int tag = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int len = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (len > extra.Length - 4)
                throw new ImporterException($"{src.Name}: zip entry '{name}': extra field of {len} bytes overruns its {extra.Length - 4} remaining bytes");
            var body = extra.Slice(4, len);
            if (tag == 1)
            {
                int q = 0;
                if (usize == 0xFFFFFFFF) usize = Zip64Field(src, name, body, ref q);
                if (csize == 0xFFFFFFFF) csize = Zip64Field(src, name, body, ref q);
                if (local == 0xFFFFFFFF) local = Zip64Field(src, name, body, ref q);
            }
            extra = extra[(4 + len)..];
        }
    }

    private static long Zip64Field(ByteSource src, string name, ReadOnlySpan<byte> body, ref int q)
    {
        if (q + 8 > body.Length)
            throw new ImporterException($"{src.Name}: zip entry '{name}': zip64 extra field of {body.Length} bytes lacks a size/offset");
        long v = ReadOffset(src, BinaryPrimitives.ReadUInt64LittleEndian(body[q..]), $"zip64 field of '{name}'");
        q += 8;
        return v;
    }

    private static long ReadOffset(ByteSource src, ulong value, string what) =>
        value <= (ulong)src.Length ? (long)value : throw new ImporterException($"{src.Name}: {what} is {value}, beyond the file's {src.Length} bytes");

    private static long LocalDataOffset(ByteSource src, string name, long local)
    {
        var h = src.Span(local, 30, $"zip local header of '{name}'");
        uint sig = BinaryPrimitives.ReadUInt32LittleEndian(h);
        if (sig != LocalHeader)
            throw new ImporterException($"{src.Name}: offset {local}: expected the local header of zip entry '{name}' (signature 0x{LocalHeader:x8}), found 0x{sig:x8}");
        // The local extra field differs from the central one (torch pads it to align the data to 64 bytes).
        int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(h[26..]);
        int extraLen = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
        return local + 30 + nameLen + extraLen;
    }

    private static string DecodeName(ByteSource src, long offset, int length)
    {
        var bytes = src.Span(offset, length, "zip entry name");
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ImporterException($"{src.Name}: offset {offset}: zip entry name is not valid UTF-8", e);
        }
    }
}
