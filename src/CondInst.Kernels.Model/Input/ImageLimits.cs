using System.Globalization;

namespace CondInst.Kernels.Model;

/// <summary>
/// The image loader's resource limit, declared once here. A few hundred bytes of PNG, WebP or TIFF can announce
/// 20000x20000 pixels and take gigabytes to decode; the dimensions in the header are checked against
/// <see cref="MaxImagePixels"/> before any pixel is decoded, for every format the loader reads.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>The defaults described on each property.</summary>
    public static ImageLimits Default { get; } = new();

    /// <summary>
    /// Most pixels (width × height) an image may have: 178,956,970 by default, the point above which Pillow
    /// refuses an image as a decompression bomb (twice its <c>MAX_IMAGE_PIXELS</c>). Decoding one such image
    /// takes about 1.4 GB. CLI: <c>--max-image-pixels</c>.
    /// </summary>
    public long MaxImagePixels { get; init; } = 178_956_970;

    /// <summary>Checks that the limit is positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative.</exception>
    public ImageLimits Validated() =>
        MaxImagePixels >= 1 ? this : throw new ArgumentOutOfRangeException(nameof(MaxImagePixels), MaxImagePixels, "must be at least 1");

    /// <summary>Throws when a <paramref name="width"/> × <paramref name="height"/> image from <paramref name="source"/> passes the limit.</summary>
    internal void Check(long width, long height, string format, string source)
    {
        if (width * height > MaxImagePixels)
            throw new ImageLoadException(source, string.Create(CultureInfo.InvariantCulture,
                $"the {format} header announces {width}x{height} = {width * height} pixels, which exceeds the limit ImageLimits.MaxImagePixels = {MaxImagePixels} (a decompression-bomb guard; raise it with --max-image-pixels or ImageLimits.MaxImagePixels)"));
    }
}
