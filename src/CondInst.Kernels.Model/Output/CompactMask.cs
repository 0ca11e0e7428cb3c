using CondInst.Kernels.Coco;

namespace CondInst.Kernels.Model;

/// <summary>
/// A binary instance mask stored compactly: only the smallest rectangle that holds every foreground pixel, with the
/// size of the image it belongs to. Every pixel outside the rectangle is background, so <see cref="ToFullMask"/> is
/// bit-exact with the full mask the model computed. (The rectangle is the mask's own extent, not the detection box:
/// a CondInst mask may reach outside its box.)
/// </summary>
public sealed class CompactMask
{
    private readonly byte[] _bits;

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

    /// <summary>The stored rectangle, row-major, 0 or 1 per pixel (<see cref="Width"/>·<see cref="Height"/> bytes).</summary>
    public ReadOnlySpan<byte> Bits => _bits;

    /// <summary>Foreground pixels (COCO's mask area).</summary>
    public long Area
    {
        get
        {
            long n = 0;
            foreach (byte b in _bits) n += b;
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
            return (uint)cx < (uint)Width && (uint)cy < (uint)Height && _bits[cy * Width + cx] != 0;
        }
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
        int w = right - left + 1, h = bottom - top + 1;
        var bits = new byte[w * h];
        for (int y = 0; y < h; y++)
        {
            var src = mask.Slice((top + y) * width + left, w);
            var dst = bits.AsSpan(y * w, w);
            // Masks from the paste are already 0/1: a vectorised check and copy; anything else is normalised.
            if (src.IndexOfAnyExcept((byte)0, (byte)1) < 0) src.CopyTo(dst);
            else for (int x = 0; x < w; x++) dst[x] = src[x] != 0 ? (byte)1 : (byte)0;
        }
        return new CompactMask(width, height, left, top, w, h, bits);
    }

    /// <summary>The full row-major <see cref="ImageHeight"/>×<see cref="ImageWidth"/> mask, 0 or 1 per pixel.</summary>
    public byte[] ToFullMask()
    {
        var full = new byte[(long)ImageWidth * ImageHeight];
        for (int y = 0; y < Height; y++)
            _bits.AsSpan(y * Width, Width).CopyTo(full.AsSpan((Top + y) * ImageWidth + Left));
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
            for (int cy = 0; cy < Height; cy++)
            {
                var row = _bits.AsSpan(cy * Width + x0, n);
                for (int c = 0; c < n; c++) columns[c * Height + cy] = row[c];
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
