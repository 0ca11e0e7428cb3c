namespace CondInst.Kernels.Model;

/// <summary>
/// A decoded image exactly as mmdetection's <c>LoadImageFromFile</c> hands it on: 8 bits per channel,
/// three channels in <b>BGR</b> order, HWC row-major (byte <c>(y·Width + x)·3 + c</c>, c = 0 blue, 1 green, 2 red),
/// EXIF orientation already applied (so <see cref="Width"/> and <see cref="Height"/> are mmdetection's
/// <c>ori_shape</c>).
/// </summary>
public sealed class DecodedImage
{
    internal DecodedImage(int width, int height, byte[] bgr, string name)
    {
        Width = width;
        Height = height;
        Bgr = bgr;
        Name = name;
    }

    /// <summary>Width in pixels (after the EXIF transpose).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (after the EXIF transpose).</summary>
    public int Height { get; }

    /// <summary>Pixels, HWC row-major, BGR, length Height·Width·3.</summary>
    public byte[] Bgr { get; }

    /// <summary>The image's name: the file name without its extension, or the name the caller gave.</summary>
    public string Name { get; }

    /// <summary>The (blue, green, red) bytes of pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public (byte B, byte G, byte R) Pixel(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {Width}x{Height} image '{Name}'");
        int i = (y * Width + x) * 3;
        return (Bgr[i], Bgr[i + 1], Bgr[i + 2]);
    }
}
