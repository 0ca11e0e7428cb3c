using System.Buffers.Binary;
using System.Text;
using CondInst.Kernels.Importer.Pth;

namespace CondInst.Kernels.Fuzz;

/// <summary>
/// Mutations that know the formats' structure, so that a damaged file still gets past the outer checks (CRCs,
/// lengths) and reaches the code behind them: pickle opcodes and their arguments (re-zipped with a valid CRC), zip
/// header fields, legacy storage counts, safetensors header numbers, PNG chunks (CRC fixed) and image headers.
/// </summary>
public static class Mutators
{
    /// <summary>Values at the edges of every integer width (and a few sizes just past common limits).</summary>
    public static readonly long[] Interesting =
        [0, 1, -1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1L << 32, 1L << 40, long.MaxValue, long.MinValue, 20000, 65535, 100000];

    public static long Pick(Random r) => Interesting[r.Next(Interesting.Length)];

    /// <summary>Writes <paramref name="v"/> as a little- or big-endian integer of <paramref name="width"/> bytes at <paramref name="at"/>.</summary>
    public static void Put(byte[] b, int at, int width, long v, bool bigEndian = false)
    {
        if (at < 0 || at + width > b.Length) return;
        for (int i = 0; i < width; i++) b[bigEndian ? at + width - 1 - i : at + i] = (byte)(v >> (8 * i));
    }

    /// <summary>One unstructured mutation inside [lo, hi): bit flips, an interesting value, truncation, a deleted, inserted or copied span.</summary>
    public static byte[] Bytes(Random r, byte[] original, int lo, int hi)
    {
        hi = Math.Min(hi, original.Length);
        if (hi <= lo) return original[..Math.Max(0, original.Length - 1)];
        int at = r.Next(lo, hi);
        var b = (byte[])original.Clone();
        switch (r.Next(7))
        {
            case 0:
                for (int k = r.Next(1, 5); k > 0; k--) b[r.Next(lo, hi)] ^= (byte)(1 << r.Next(8));
                return b;
            case 1:
                Put(b, at, r.Next(2) == 0 ? 4 : 8, Pick(r), r.Next(2) == 0);
                return b;
            case 2:
                return original[..at];
            case 3:
                {
                    int n = Math.Min(r.Next(1, 17), original.Length - at);
                    return [.. original.AsSpan(0, at), .. original.AsSpan(at + n)];
                }
            case 4:
                {
                    var ins = new byte[r.Next(1, 17)];
                    r.NextBytes(ins);
                    return [.. original.AsSpan(0, at), .. ins, .. original.AsSpan(at)];
                }
            case 5:
                b[at] = (byte)Pick(r);
                return b;
            default:
                {
                    int from = r.Next(lo, hi);
                    int n = Math.Min(Math.Min(r.Next(1, 65), b.Length - at), b.Length - from);
                    Array.Copy(original, from, b, at, n);
                    return b;
                }
        }
    }

    // ---- pickles ----

    private readonly record struct Op(int At, byte Code, int ArgAt, int ArgLength, int LengthWidth);

    // Argument layout per opcode: fixed width, or a length prefix of 1, 4 or 8 bytes then that many bytes, or lines.
    private static (int Fixed, int Prefix, int Lines) Layout(byte op) => op switch
    {
        0x80 or (byte)'K' or (byte)'h' or (byte)'q' or 0x82 => (1, 0, 0),
        (byte)'M' or 0x83 => (2, 0, 0),
        (byte)'J' or (byte)'j' or (byte)'r' or 0x84 => (4, 0, 0),
        0x95 or (byte)'G' => (8, 0, 0),
        0x8a or 0x8c or (byte)'U' or (byte)'C' => (0, 1, 0),
        0x8b or (byte)'X' or (byte)'T' or (byte)'B' => (0, 4, 0),
        0x8d or 0x8e or 0x96 => (0, 8, 0),
        (byte)'c' or (byte)'i' => (0, 0, 2),
        (byte)'I' or (byte)'L' or (byte)'F' or (byte)'S' or (byte)'V' or (byte)'P' or (byte)'g' or (byte)'p' => (0, 0, 1),
        _ => (0, 0, 0),
    };

    private static List<Op> Scan(byte[] p)
    {
        var ops = new List<Op>();
        int i = 0;
        while (i < p.Length)
        {
            byte code = p[i];
            var (fixedWidth, prefix, lines) = Layout(code);
            int argAt = i + 1, length = fixedWidth;
            if (prefix > 0)
            {
                if (argAt + prefix > p.Length) break;
                long n = prefix == 1 ? p[argAt] : prefix == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(p.AsSpan(argAt)) : (long)BinaryPrimitives.ReadUInt64LittleEndian(p.AsSpan(argAt));
                if (n < 0 || n > p.Length) break;
                length = prefix + (int)n;
            }
            for (int l = 0, e = argAt; l < lines; l++)
            {
                int nl = Array.IndexOf(p, (byte)'\n', e);
                if (nl < 0) return ops;
                length = nl + 1 - argAt;
                e = nl + 1;
            }
            if (argAt + length > p.Length) break;
            ops.Add(new Op(i, code, argAt, length, prefix));
            i = argAt + length;
            if (code == (byte)'.') break;
        }
        return ops;
    }

    private static readonly byte[] OpCodes = "()0125.NJKMGXTUBCQRbcdeghijlmqrsptu}]"u8.ToArray().Concat(new byte[] { 0x80, 0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96 }).ToArray();

    /// <summary>An opcode-level mutation of a pickle: an argument or length replaced, an opcode deleted, repeated, swapped or inserted.</summary>
    public static byte[] Pickle(Random r, byte[] p)
    {
        var ops = Scan(p);
        if (ops.Count < 2) return Bytes(r, p, 0, p.Length);
        var op = ops[r.Next(ops.Count)];
        var b = (byte[])p.Clone();
        switch (r.Next(6))
        {
            case 0: // an argument's integer (or its length prefix) set to an edge value
                if (op.ArgLength == 0) goto case 1;
                {
                    int width = op.LengthWidth > 0 ? op.LengthWidth : Math.Min(op.ArgLength, 8);
                    Put(b, op.ArgAt, width, Pick(r));
                    return b;
                }
            case 1: // delete the opcode
                return [.. p.AsSpan(0, op.At), .. p.AsSpan(op.ArgAt + op.ArgLength)];
            case 2: // repeat it
                return [.. p.AsSpan(0, op.ArgAt + op.ArgLength), .. p.AsSpan(op.At, 1 + op.ArgLength), .. p.AsSpan(op.ArgAt + op.ArgLength)];
            case 3: // swap it with the next
                {
                    int k = ops.IndexOf(op);
                    if (k + 1 >= ops.Count) goto case 1;
                    var next = ops[k + 1];
                    return [.. p.AsSpan(0, op.At), .. p.AsSpan(next.At, 1 + next.ArgLength), .. p.AsSpan(op.At, 1 + op.ArgLength), .. p.AsSpan(next.ArgAt + next.ArgLength)];
                }
            case 4: // insert an opcode with an edge-value argument
                {
                    byte code = OpCodes[r.Next(OpCodes.Length)];
                    var (fixedWidth, prefix, lines) = Layout(code);
                    var arg = new byte[fixedWidth + prefix];
                    Put(arg, 0, arg.Length, Pick(r));
                    byte[] line = lines > 0 ? Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("torch\n", lines))) : [];
                    return [.. p.AsSpan(0, op.At), code, .. arg, .. line, .. p.AsSpan(op.At)];
                }
            default: // change the opcode byte itself
                b[op.At] = OpCodes[r.Next(OpCodes.Length)];
                return b;
        }
    }

    // ---- zip ----

    /// <summary>A zip archive's entries in data order (name, bytes).</summary>
    public static List<(string Name, byte[] Data)> Entries(byte[] zip)
    {
        using var src = CondInst.Kernels.Importer.IO.ByteSource.FromArray("zip", zip);
        return ZipDirectory.Read(src).Values.OrderBy(e => e.DataOffset)
            .Select(e => (e.Name, zip.AsSpan((int)e.DataOffset, (int)e.Size).ToArray())).ToList();
    }

    /// <summary>A zip of <paramref name="entries"/> with the data.pkl entry replaced by <paramref name="pickle"/> (CRCs computed, so valid).</summary>
    public static byte[] Rezip(List<(string Name, byte[] Data)> entries, byte[] pickle)
    {
        using var ms = new MemoryStream();
        using (var zip = new PthZipWriter(ms))
        {
            foreach (var (name, data) in entries)
                zip.Add(name, name.EndsWith("data.pkl", StringComparison.Ordinal) ? pickle : data);
        }
        return ms.ToArray();
    }

    // Field offsets (offset, width) in the local header, the central directory header and the end record.
    private static readonly (uint Signature, (int At, int Width)[] Fields)[] ZipRecords =
    [
        (0x04034b50, [(4, 2), (6, 2), (8, 2), (14, 4), (18, 4), (22, 4), (26, 2), (28, 2)]),
        (0x02014b50, [(6, 2), (8, 2), (10, 2), (16, 4), (20, 4), (24, 4), (28, 2), (30, 2), (32, 2), (34, 2), (42, 4)]),
        (0x06054b50, [(4, 2), (6, 2), (8, 2), (10, 2), (12, 4), (16, 4), (20, 2)]),
        (0x06064b50, [(24, 8), (32, 8), (40, 8), (48, 8)]),
        (0x07064b50, [(8, 8)]),
    ];

    /// <summary>One zip header field (sizes, offsets, name and extra lengths, counts) set to an edge value.</summary>
    public static byte[] ZipField(Random r, byte[] zip)
    {
        var sites = new List<(int At, int Width)>();
        for (int i = 0; i + 4 <= zip.Length; i++)
        {
            if (zip[i] != 0x50 || zip[i + 1] != 0x4b) continue;
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            foreach (var (s, fields) in ZipRecords)
                if (s == sig) sites.AddRange(fields.Select(f => (i + f.At, f.Width)));
        }
        if (sites.Count == 0) return Bytes(r, zip, 0, zip.Length);
        var b = (byte[])zip.Clone();
        var (at, width) = sites[r.Next(sites.Count)];
        Put(b, at, width, r.Next(3) == 0 ? BinaryPrimitives.ReadInt64LittleEndian(zip.AsSpan(Math.Min(at, zip.Length - 8))) + r.Next(-3, 4) : Pick(r));
        return b;
    }

    // ---- legacy .pth ----

    /// <summary>Offsets of the 8-byte element counts that precede each storage record of a legacy .pth (after its five pickles).</summary>
    public static List<int> LegacyCounts(byte[] file, int elementSize = 4)
    {
        int at = 0;
        for (int k = 0; k < 5; k++)
        {
            var ops = Scan(file[at..]);
            if (ops.Count == 0 || ops[^1].Code != (byte)'.') return [];
            at += ops[^1].At + 1;
        }
        var counts = new List<int>();
        while (at + 8 <= file.Length)
        {
            long n = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(at));
            counts.Add(at);
            if (n < 0 || n > file.Length) break;
            at += 8 + (int)n * elementSize;
        }
        return counts;
    }

    // ---- safetensors ----

    private static readonly string[] InterestingNumbers = ["0", "-1", "1", "4294967296", "18446744073709551615", "18446744073709551616", "9223372036854775807", "1e308", "2.5", "99999999999"];

    /// <summary>A number in the safetensors JSON header (a shape or an offset) replaced; the header length is kept consistent most times.</summary>
    public static byte[] SafetensorsNumber(Random r, byte[] file)
    {
        if (file.Length < 8) return file;
        long n = BinaryPrimitives.ReadInt64LittleEndian(file);
        if (n <= 0 || n > file.Length - 8) return Bytes(r, file, 0, file.Length);
        string header = Encoding.UTF8.GetString(file, 8, (int)n);
        var numbers = System.Text.RegularExpressions.Regex.Matches(header, "-?[0-9]+");
        if (numbers.Count == 0) return Bytes(r, file, 8, 8 + (int)n);
        var m = numbers[r.Next(numbers.Count)];
        string changed = header[..m.Index] + InterestingNumbers[r.Next(InterestingNumbers.Length)] + header[(m.Index + m.Length)..];
        var h = Encoding.UTF8.GetBytes(changed);
        var result = new byte[8 + h.Length + (file.Length - 8 - (int)n)];
        BinaryPrimitives.WriteInt64LittleEndian(result, r.Next(8) == 0 ? n : h.Length);
        h.CopyTo(result, 8);
        file.AsSpan(8 + (int)n).CopyTo(result.AsSpan(8 + h.Length));
        return result;
    }

    // ---- images ----

    /// <summary>PNG chunk surgery with valid CRCs: an IHDR field set to an edge value, a chunk dropped, repeated or cut.</summary>
    public static byte[] PngChunk(Random r, byte[] png)
    {
        var chunks = new List<(int At, int Length)>();
        for (int p = 8; p + 12 <= png.Length;)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(p));
            if (len < 0 || p + 12 + len > png.Length) break;
            chunks.Add((p, len));
            p += 12 + len;
        }
        if (chunks.Count == 0) return Bytes(r, png, 0, png.Length);
        var (at, length) = chunks[r.Next(chunks.Count)];
        switch (r.Next(4))
        {
            case 0: // IHDR: width, height, bit depth, colour type, compression, filter, interlace
                {
                    var b = (byte[])png.Clone();
                    int[] fields = [0, 4, 8, 9, 10, 11, 12];
                    int f = fields[r.Next(fields.Length)];
                    Put(b, 16 + f, f < 8 ? 4 : 1, f < 8 ? Pick(r) : r.Next(0, 20), bigEndian: true);
                    FixCrc(b, 8);
                    return b;
                }
            case 1:
                return [.. png.AsSpan(0, at), .. png.AsSpan(at + 12 + length)];
            case 2:
                return [.. png.AsSpan(0, at + 12 + length), .. png.AsSpan(at, 12 + length), .. png.AsSpan(at + 12 + length)];
            default: // a byte inside the chunk's data changed, CRC fixed (reaches the zlib stream and the filters)
                {
                    if (length == 0) goto case 1;
                    var b = (byte[])png.Clone();
                    b[at + 8 + r.Next(length)] ^= (byte)(1 << r.Next(8));
                    FixCrc(b, at);
                    return b;
                }
        }
    }

    private static void FixCrc(byte[] png, int chunk)
    {
        int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(chunk));
        if (chunk + 12 + len > png.Length) return;
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(chunk + 8 + len), Crc32.Compute(png.AsSpan(chunk + 4, 4 + len)));
    }
}
