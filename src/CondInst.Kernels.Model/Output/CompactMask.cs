using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CondInst.Kernels.Coco;

namespace CondInst.Kernels.Model;

/// <summary>
/// A binary instance mask stored compactly: only the smallest rectangle that holds every foreground pixel, with the
/// size of the image it belongs to, one bit per pixel. Every pixel outside the rectangle is background, so
/// <see cref="ToFullMask"/> is bit-exact with the full mask the model computed. (The rectangle is the mask's own
/// extent, not the detection box: a CondInst mask may reach outside its box.)
/// </summary>
public sealed class CompactMask
{
    // Row-major, RowBytes per row of the rectangle; pixel x of a row is bit x % 8 of byte x / 8 (least significant
    // first), and the bits past Width in a row's last byte are 0. A bit per pixel instead of a byte: a noise mask of a
    // 1333x800 image (random weights give such masks, 100 per image) is 133 KB instead of 1 MB.
    private readonly byte[] _bits;

    // Byte i's eight bits spread to eight 0/1 bytes (little-endian: bit 0 to the lowest byte).
    private static readonly ulong[] Spread = MakeSpread();

    private CompactMask(int imageWidth, int imageHeight, int left, int top, int width, int height, byte[] bits)
    {
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
        Left = left;
        Top = top;
        Width = width;
        Height = height;
        _bits = bits;
    }

    /// <summary>Width of the image the mask belongs to.</summary>
    public int ImageWidth { get; }

    /// <summary>Height of the image the mask belongs to.</summary>
    public int ImageHeight { get; }

    /// <summary>First column of the stored rectangle.</summary>
    public int Left { get; }

    /// <summary>First row of the stored rectangle.</summary>
    public int Top { get; }

    /// <summary>Columns stored (0 for an empty mask).</summary>
    public int Width { get; }

    /// <summary>Rows stored (0 for an empty mask).</summary>
    public int Height { get; }

    /// <summary>Bytes the stored rectangle takes (one bit per pixel, rows padded to whole bytes).</summary>
    public long StoredBytes => _bits.LongLength;

    private int RowBytes => (Width + 7) >> 3;

    /// <summary>Foreground pixels (COCO's mask area).</summary>
    public long Area
    {
        get
        {
            var span = _bits.AsSpan();
            var words = MemoryMarshal.Cast<byte, ulong>(span);
            long n = 0;
            foreach (ulong word in words) n += BitOperations.PopCount(word);
            for (int i = words.Length * sizeof(ulong); i < span.Length; i++) n += BitOperations.PopCount(span[i]);
            return n;
        }
    }

    /// <summary>True when pixel (<paramref name="x"/>, <paramref name="y"/>) of the image is foreground.</summary>
    public bool this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)ImageWidth || (uint)y >= (uint)ImageHeight)
                throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {ImageWidth}x{ImageHeight} image");
            int cx = x - Left, cy = y - Top;
            return (uint)cx < (uint)Width && (uint)cy < (uint)Height && ((_bits[cy * RowBytes + (cx >> 3)] >> (cx & 7)) & 1) != 0;
        }
    }

    /// <summary>
    /// Writes row <paramref name="row"/> of the stored rectangle (image row <see cref="Top"/> + <paramref name="row"/>,
    /// columns <see cref="Left"/> onwards) into <paramref name="destination"/> as <see cref="Width"/> bytes of 0 or 1.
    /// </summary>
    public void ReadRow(int row, Span<byte> destination)
    {
        if ((uint)row >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(row), $"row {row} is outside the mask's {Height} stored rows");
        if (destination.Length < Width)
            throw new ArgumentException($"row of {Width} pixels does not fit in {destination.Length} bytes", nameof(destination));
        var src = _bits.AsSpan(row * RowBytes, RowBytes);
        int x = 0, b = 0;
        for (; x + 8 <= Width; x += 8, b++)
            MemoryMarshal.Write(destination[x..], in Spread[src[b]]);
        for (; x < Width; x++) destination[x] = (byte)((src[x >> 3] >> (x & 7)) & 1);
    }

    /// <summary>
    /// The compact form of a row-major <paramref name="width"/>×<paramref name="height"/> mask (any non-zero byte is
    /// foreground).
    /// </summary>
    public static CompactMask FromFull(ReadOnlySpan<byte> mask, int width, int height)
    {
        if (width < 0 || height < 0 || (long)width * height != mask.Length)
            throw new ArgumentException($"mask of {mask.Length} bytes does not match the image size {width}x{height}");
        int top = -1, bottom = -1, left = width, right = -1;
        for (int y = 0; y < height; y++)
        {
            var row = mask.Slice(y * width, width);
            int first = row.IndexOfAnyExcept((byte)0);
            if (first < 0) continue;
            if (top < 0) top = y;
            bottom = y;
            left = Math.Min(left, first);
            right = Math.Max(right, row.LastIndexOfAnyExcept((byte)0));
        }
        if (top < 0) return new CompactMask(width, height, 0, 0, 0, 0, []);
        int w = right - left + 1, h = bottom - top + 1, rowBytes = (w + 7) >> 3;
        var bits = new byte[(long)rowBytes * h];
        for (int y = 0; y < h; y++)
            Pack(mask.Slice((top + y) * width + left, w), bits.AsSpan(y * rowBytes, rowBytes));
        return new CompactMask(width, height, left, top, w, h, bits);
    }

    // One row of bytes to bits: 32 pixels per vector compare (the sign bits of "== 0", inverted), the rest one by one.
    private static void Pack(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        int x = 0;
        ref byte s = ref MemoryMarshal.GetReference(src);
        for (; x + 32 <= src.Length; x += 32)
        {
            uint set = ~Vector256.Equals(Vector256.LoadUnsafe(ref s, (nuint)x), Vector256<byte>.Zero).ExtractMostSignificantBits();
            BinaryPrimitives.WriteUInt32LittleEndian(dst[(x >> 3)..], set);
        }
        for (; x < src.Length; x++)
            if (src[x] != 0) dst[x >> 3] |= (byte)(1 << (x & 7));
    }

    /// <summary>The full row-major <see cref="ImageHeight"/>×<see cref="ImageWidth"/> mask, 0 or 1 per pixel.</summary>
    public byte[] ToFullMask()
    {
        var full = new byte[(long)ImageWidth * ImageHeight];
        for (int y = 0; y < Height; y++)
            ReadRow(y, full.AsSpan((Top + y) * ImageWidth + Left, Width));
        return full;
    }

    /// <summary>
    /// COCO's run lengths of the full mask (equal to <see cref="RleCodec.Encode"/> of <see cref="ToFullMask"/>),
    /// computed from the rectangle without expanding it; <see cref="RleMask.ToCompressedString"/> gives the text form.
    /// </summary>
    public RleMask ToRle() => new(ImageHeight, ImageWidth, RunLengths());

    // Column-major runs over the whole image, starting with background. Columns outside the rectangle and the rows
    // above and below it are whole background runs; inside, the rectangle is transposed 16 columns at a time (row
    // reads stay contiguous) and each column's runs are found with vectorised searches instead of pixel by pixel.
    private uint[] RunLengths()
    {
        var runs = new RunBuilder();
        runs.Add(false, (long)Left * ImageHeight);
        const int Group = 16;
        var columns = new byte[Group * Height];
        for (int x0 = 0; x0 < Width; x0 += Group)
        {
            int n = Math.Min(Group, Width - x0);
            int b0 = x0 >> 3, rowBytes = RowBytes;
            for (int cy = 0; cy < Height; cy++)
            {
                // The group's 16 columns are two bytes of the row (one for a last group of at most 8 columns).
                int at = cy * rowBytes + b0;
                uint v = n > 8 ? _bits[at] | ((uint)_bits[at + 1] << 8) : _bits[at];
                for (int c = 0; c < n; c++) columns[c * Height + cy] = (byte)((v >> c) & 1);
            }
            for (int c = 0; c < n; c++)
            {
                runs.Add(false, Top);
                var column = columns.AsSpan(c * Height, Height);
                for (int y = 0; y < Height;)
                {
                    byte v = column[y];
                    int length = column[y..].IndexOfAnyExcept(v);
                    if (length < 0) length = Height - y;
                    runs.Add(v != 0, length);
                    y += length;
                }
                runs.Add(false, ImageHeight - Top - Height);
            }
        }
        runs.Add(false, (long)(ImageWidth - Left - Width) * ImageHeight);
        return runs.Finish();
    }

    private static ulong[] MakeSpread()
    {
        var table = new ulong[256];
        for (int i = 0; i < 256; i++)
            for (int bit = 0; bit < 8; bit++)
                table[i] |= (ulong)((i >> bit) & 1) << (8 * bit);
        return table;
    }

    // Alternating runs, background first: a run of the other value closes the open one.
    private struct RunBuilder
    {
        private List<uint>? _counts;
        private bool _current;
        private long _run;

        public void Add(bool value, long length)
        {
            if (length == 0) return;
            _counts ??= [];
            if (value != _current)
            {
                _counts.Add((uint)_run);
                _run = 0;
                _current = value;
            }
            _run += length;
        }

        public uint[] Finish()
        {
            _counts ??= [];
            _counts.Add((uint)_run);
            return [.. _counts];
        }
    }
}
