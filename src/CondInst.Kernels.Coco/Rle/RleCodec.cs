using System.Text;

namespace CondInst.Kernels.Coco;

/// <summary>
/// Conversions between masks, run lengths and COCO's compressed counts text.
/// <para>The text form stores each count in 5-bit groups, least significant first, one character per group
/// (character = group + 48, plus 0x20 while more groups follow). The last group's bit 0x10 is a sign bit: the
/// number is sign-extended from it, so a number ends once the rest is 0 with that bit clear or −1 with it set.
/// From the fourth count on (index &gt; 2) the stored number is the difference to the count two places back (the
/// previous run of the same value), which keeps it short.</para>
/// </summary>
public static class RleCodec
{
    /// <summary>Counts → compressed text (pycocotools' <c>rleToString</c>).</summary>
    public static string Compress(ReadOnlySpan<uint> counts)
    {
        var sb = new StringBuilder(counts.Length * 2);
        for (int i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2) x -= counts[i - 2];
            bool more = true;
            while (more)
            {
                int group = (int)(x & 0x1f);
                x >>= 5; // arithmetic: keeps the sign
                more = (group & 0x10) != 0 ? x != -1 : x != 0;
                if (more) group |= 0x20;
                sb.Append((char)(group + 48));
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Compressed text → counts (pycocotools' <c>rleFrString</c>), checked: every character in '0'..'o', every
    /// number finished, no negative count, and (when <paramref name="pixels"/> ≥ 0) the runs adding up to it.
    /// </summary>
    /// <exception cref="FormatException">The text breaks one of those rules (the message says which and where).</exception>
    public static uint[] Decompress(string text, long pixels = -1)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new List<uint>(text.Length);
        int p = 0;
        long total = 0;
        while (p < text.Length)
        {
            long x = 0;
            int k = 0;
            bool more = true;
            while (more)
            {
                if (p >= text.Length) throw new FormatException($"counts text ends inside a number (count {counts.Count})");
                int c = text[p] - 48;
                if (c < 0 || c > 0x3f) throw new FormatException($"counts text has '{text[p]}' at {p}, expected characters '0'..'o'");
                if (k > 6) throw new FormatException($"counts text has a number longer than 7 characters at {p}");
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (counts.Count > 2) x += counts[^2];
            if (x < 0 || x > uint.MaxValue) throw new FormatException($"counts text gives run {counts.Count} the length {x}");
            counts.Add((uint)x);
            total += x;
        }
        if (pixels >= 0 && total != pixels) throw new FormatException($"counts cover {total} pixels, the size says {pixels}");
        return [.. counts];
    }

    /// <summary>A row-major mask (any non-zero byte is foreground) → run lengths (pycocotools' <c>rleEncode</c>).</summary>
    public static RleMask Encode(ReadOnlySpan<byte> rowMajor, int height, int width)
    {
        if ((long)height * width != rowMajor.Length)
            throw new ArgumentException($"mask has {rowMajor.Length} bytes, {height}x{width} needs {(long)height * width}");
        var counts = new List<uint>();
        bool current = false;
        uint run = 0;
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                bool v = rowMajor[y * width + x] != 0;
                if (v != current)
                {
                    counts.Add(run);
                    run = 0;
                    current = v;
                }
                run++;
            }
        }
        counts.Add(run);
        return new RleMask(height, width, [.. counts]);
    }

    /// <summary>Run lengths → a row-major mask of 0/1 bytes (pycocotools' <c>rleDecode</c>, transposed to row-major).</summary>
    public static byte[] Decode(RleMask rle)
    {
        ArgumentNullException.ThrowIfNull(rle);
        long pixels = (long)rle.Height * rle.Width;
        var mask = new byte[pixels];
        long pos = 0;
        byte v = 0;
        foreach (uint run in rle.Counts)
        {
            if (pos + run > pixels) throw new FormatException($"counts cover more than the {rle.Height}x{rle.Width} pixels");
            if (v != 0)
                for (long i = pos; i < pos + run; i++) mask[(i % rle.Height) * rle.Width + i / rle.Height] = 1;
            pos += run;
            v ^= 1;
        }
        return mask;
    }

    /// <summary>A mask from its compressed text and size, checked (see <see cref="Decompress"/>).</summary>
    public static RleMask FromCompressed(string text, int height, int width) =>
        new(height, width, Decompress(text, (long)height * width));
}
