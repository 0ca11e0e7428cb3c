namespace CondInst.Kernels.Coco;

/// <summary>
/// A binary mask as COCO's run lengths (pycocotools' <c>RLE</c>): runs over the pixels in column-major order
/// (pixel (y, x) is position x·Height + y), alternating background and foreground and starting with a background
/// run that may be empty. The counts are kept as given (pycocotools does not normalise them either); runs that do
/// not add up to Height·Width are refused by <see cref="RleCodec"/>, the only way in from files.
/// </summary>
public sealed class RleMask
{
    private readonly uint[] _counts;

    /// <summary>Wraps <paramref name="counts"/> (not copied: the caller hands it over).</summary>
    public RleMask(int height, int width, uint[] counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        Height = height;
        Width = width;
        _counts = counts;
    }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>The run lengths (background first).</summary>
    public ReadOnlySpan<uint> Counts => _counts;

    internal uint[] CountsArray => _counts;

    /// <summary>Foreground pixels: the sum of the odd-indexed runs (pycocotools' <c>rleArea</c>).</summary>
    public long Area
    {
        get
        {
            long a = 0;
            for (int j = 1; j < _counts.Length; j += 2) a += _counts[j];
            return a;
        }
    }

    /// <summary>The compressed counts string (pycocotools' <c>rleToString</c>).</summary>
    public string ToCompressedString() => RleCodec.Compress(_counts);

    /// <summary>The tight box [x, y, w, h] as pycocotools' <c>toBbox</c> computes it (see <see cref="RleOps.ToBox(RleMask)"/>).</summary>
    public double[] ToBox() => RleOps.ToBox(this);
}
