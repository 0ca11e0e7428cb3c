using System.Text;

namespace CondInst.Kernels.Model;

/// <summary>
/// COCO run-length encoding, as pycocotools (<c>maskApi.c</c>: rleEncode, rleDecode, rleArea, rleToString,
/// rleFrString).
/// <para>Runs are taken over the mask in <b>column-major</b> (Fortran) order: pixel (y, x) is position x·H + y.
/// They alternate background, foreground, background, …, starting with a run of zeros that may be empty, and the
/// last run ends at the last pixel (an all-zero H×W mask is [H·W], an all-one one is [0, H·W]).</para>
/// <para>The string form writes each count as a little-endian sequence of 5-bit groups, one character each:
/// value = group | 0x20 if more groups follow, plus 48. The last group's bit 0x10 is the sign (the value is
/// sign-extended from it), so a group ends the number when the rest is 0 (bit 0x10 clear) or −1 (bit 0x10 set).
/// From the fourth count on (index i &gt; 2 — not i ≥ 2) the number written is count[i] − count[i−2], the change
/// from the previous run of the same value, which is often small or negative.</para>
/// Masks given to the encoder are row-major H×W bytes; any non-zero byte is foreground.
/// </summary>
public static class Rle
{
    /// <summary>Encodes a row-major mask into COCO's compressed form.</summary>
    public static CocoRle Encode(ReadOnlySpan<byte> mask, int height, int width) =>
        new(height, width, CompressCounts(EncodeCounts(mask, height, width)));

    /// <summary>The uncompressed run lengths of a row-major mask (column-major runs, starting with zeros).</summary>
    public static uint[] EncodeCounts(ReadOnlySpan<byte> mask, int height, int width)
    {
        CheckSize(mask.Length, height, width);
        var counts = new List<uint>();
        bool current = false;
        uint run = 0;
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                bool v = mask[y * width + x] != 0;
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
        return [.. counts];
    }

    /// <summary>Decodes to a row-major mask of 0/1 bytes.</summary>
    /// <exception cref="FormatException">The counts string is malformed or does not cover exactly Height·Width pixels.</exception>
    public static byte[] Decode(CocoRle rle)
    {
        ArgumentNullException.ThrowIfNull(rle);
        return DecodeCounts(DecompressCounts(rle.Counts), rle.Height, rle.Width);
    }

    /// <summary>Decodes uncompressed run lengths to a row-major mask of 0/1 bytes.</summary>
    /// <exception cref="FormatException">The counts do not add up to Height·Width.</exception>
    public static byte[] DecodeCounts(ReadOnlySpan<uint> counts, int height, int width)
    {
        if (height < 0 || width < 0) throw new ArgumentOutOfRangeException(nameof(height), $"RLE size {height}x{width} is negative");
        long total = (long)height * width, sum = 0;
        foreach (uint c in counts) sum += c;
        if (sum != total) throw new FormatException($"RLE counts cover {sum} pixels, a {height}x{width} mask has {total}");
        var mask = new byte[total];
        long p = 0; // column-major position
        for (int i = 0; i < counts.Length; i++)
        {
            if ((i & 1) == 1)
            {
                for (long k = p; k < p + counts[i]; k++) mask[(k % height) * width + k / height] = 1;
            }
            p += counts[i];
        }
        return mask;
    }

    /// <summary>Number of foreground pixels (pycocotools <c>area</c>).</summary>
    public static long Area(CocoRle rle)
    {
        ArgumentNullException.ThrowIfNull(rle);
        return Area(DecompressCounts(rle.Counts));
    }

    /// <summary>Number of foreground pixels: the sum of the odd-indexed runs.</summary>
    public static long Area(ReadOnlySpan<uint> counts)
    {
        long a = 0;
        for (int i = 1; i < counts.Length; i += 2) a += counts[i];
        return a;
    }

    /// <summary>pycocotools <c>rleToString</c>: run lengths to the compressed string.</summary>
    public static string CompressCounts(ReadOnlySpan<uint> counts)
    {
        var s = new StringBuilder(counts.Length * 2);
        for (int i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2) x -= counts[i - 2];
            bool more = true;
            while (more)
            {
                int c = (int)(x & 0x1f);
                x >>= 5; // arithmetic shift: negative differences stay negative
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                s.Append((char)(c + 48));
            }
        }
        return s.ToString();
    }

    /// <summary>pycocotools <c>rleFrString</c>: the compressed string back to run lengths.</summary>
    /// <exception cref="FormatException">A character outside '0'..'o', a number cut off, or a run out of range.</exception>
    public static uint[] DecompressCounts(string counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var result = new List<uint>();
        int p = 0;
        while (p < counts.Length)
        {
            long x = 0;
            int k = 0;
            bool more = true;
            int start = p;
            while (more)
            {
                if (p >= counts.Length) throw new FormatException($"RLE counts string ends inside the number starting at character {start}");
                int c = counts[p] - 48;
                if (c is < 0 or > 63) throw new FormatException($"RLE counts string has '{counts[p]}' at character {p}; only '0'..'o' occur");
                if (k == 7) throw new FormatException($"RLE counts string: the number starting at character {start} is longer than 7 characters");
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (result.Count > 2) x += result[^2];
            if (x is < 0 or > uint.MaxValue)
                throw new FormatException($"RLE counts string: run {result.Count} (ending at character {p - 1}) is {x}, outside 0..{uint.MaxValue}");
            result.Add((uint)x);
        }
        return [.. result];
    }

    private static void CheckSize(int length, int height, int width)
    {
        if (height < 0 || width < 0) throw new ArgumentOutOfRangeException(nameof(height), $"mask size {height}x{width} is negative");
        if ((long)height * width != length)
            throw new ArgumentException($"mask has {length} bytes, {height}x{width} needs {(long)height * width}", "mask");
    }
}
