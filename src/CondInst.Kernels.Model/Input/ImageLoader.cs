using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Model;

/// <summary>
/// Loads images as mmdetection's test pipeline does: mmcv <c>LoadImageFromFile</c> with imdecode_backend 'pillow',
/// flag 'color', channel_order 'bgr' (docs/INFERENCE.md#decode). That is: decode, apply the EXIF orientation
/// (<c>ImageOps.exif_transpose</c>), convert to 8-bit RGB by Pillow's rules (mode 'LA' composited over
/// (124, 117, 104)), then reverse the channels to BGR. Decoding is SixLabors.ImageSharp 2.1 (JPEG, PNG, BMP, GIF
/// first frame, TGA, TIFF, WebP, PBM).
/// <para>Where the result can differ from Pillow's bytes:</para>
/// <list type="bullet">
/// <item>JPEG: ImageSharp's decoder is not libjpeg; pixels may differ by ±1 (IDCT and chroma upsampling).
/// CMYK/YCCK JPEGs are converted to RGB inside ImageSharp, which does not expose the ink values; Pillow computes
/// R = (255 − K) − round(C·(255 − K) / 255) on libjpeg's (Adobe-inverted) output, so those may differ by ±1 too.</item>
/// <item>16-bit TIFF and 16-bit PGM/PPM go through ImageSharp's rounded 16→8-bit scaling, not Pillow's clip (grey)
/// or most-significant byte (colour); 16-bit PNG is handled exactly. 16-bit (5-5-5 / 5-6-5) BMPs are expanded by
/// bit replication in ImageSharp, Pillow uses v·255 / 31 truncated: some values differ by 1.</item>
/// <item>A GIF first frame smaller than the logical screen: the uncovered area is whatever ImageSharp fills it with.</item>
/// <item>A baseline JPEG that lacks only its final end-of-image marker is refused (Pillow loads it).</item>
/// </list>
/// </summary>
public static class ImageLoader
{
    /// <summary>Loads an image file; its name is the file name without the extension.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="limits">Resource limits; null for <see cref="ImageLimits.Default"/>.</param>
    /// <exception cref="ImageLoadException">missing, unreadable, empty, not a regular file, not an image, truncated,
    /// zero-size, or over <see cref="ImageLimits.MaxImagePixels"/>.</exception>
    public static DecodedImage Load(string path, ImageLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new ImageLoadException(path, "is a directory, not an image file");
        if (!File.Exists(path)) throw new ImageLoadException(path, "file not found");
        // A FIFO or device reports length 0 and reading it can block forever: refuse by size before opening.
        if (new FileInfo(path).Length == 0) throw new ImageLoadException(path, "the file is empty (0 bytes) or not a regular file (a FIFO or device)");
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException(path, $"cannot read the file: {e.Message}", e);
        }
        return Decode(data, path, Path.GetFileNameWithoutExtension(path), limits);
    }

    /// <summary>Loads an image from a stream (read to its end); <paramref name="name"/> names it in results and errors.</summary>
    /// <param name="stream">The encoded image.</param>
    /// <param name="name">Its name in results and errors.</param>
    /// <param name="limits">Resource limits; null for <see cref="ImageLimits.Default"/>.</param>
    /// <exception cref="ImageLoadException">unreadable, empty, not an image, truncated, zero-size, or over <see cref="ImageLimits.MaxImagePixels"/>.</exception>
    public static DecodedImage Load(Stream stream, string name, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new ImageLoadException(name, $"cannot read the stream: {e.Message}", e);
        }
        return Decode(buffer.ToArray(), name, name, limits);
    }

    /// <summary>Loads an encoded image (JPEG, PNG, ...) held in memory; <paramref name="name"/> names it in results and errors.</summary>
    /// <param name="data">The encoded image.</param>
    /// <param name="name">Its name in results and errors.</param>
    /// <param name="limits">Resource limits; null for <see cref="ImageLimits.Default"/>.</param>
    /// <exception cref="ImageLoadException">empty, not an image, truncated, zero-size, or over <see cref="ImageLimits.MaxImagePixels"/>.</exception>
    public static DecodedImage Load(ReadOnlyMemory<byte> data, string name, ImageLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Decode(data.ToArray(), name, name, limits);
    }

    /// <summary>The pixels of an ImageSharp image as they are (no EXIF orientation applied), as BGR.</summary>
    public static DecodedImage FromImage(Image<Rgb24> image, string name)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var rgb = new byte[(long)image.Width * image.Height * 3];
        image.CopyPixelDataTo(rgb);
        return FromRgb(rgb, image.Width, image.Height, name);
    }

    /// <summary>Wraps (a copy of) BGR HWC bytes as an image, after checking the sizes.</summary>
    public static DecodedImage FromBgr(byte[] bgr, int width, int height, string name) =>
        new(width, height, Checked(bgr, width, height, name, "bgr").ToArray(), name);

    /// <summary>Converts RGB HWC bytes to an image (channels reversed to BGR), after checking the sizes.</summary>
    public static DecodedImage FromRgb(byte[] rgb, int width, int height, string name)
    {
        var src = Checked(rgb, width, height, name, "rgb");
        var bgr = new byte[src.Length];
        for (int i = 0; i < bgr.Length; i += 3)
        {
            bgr[i] = src[i + 2];
            bgr[i + 1] = src[i + 1];
            bgr[i + 2] = src[i];
        }
        return new DecodedImage(width, height, bgr, name);
    }

    private static byte[] Checked(byte[] pixels, int width, int height, string name, string argument)
    {
        ArgumentNullException.ThrowIfNull(pixels, argument);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"image '{name}': width and height must be positive, got {width}x{height}");
        if ((long)width * height * 3 != pixels.Length)
            throw new ArgumentException($"image '{name}': {width}x{height}x3 needs {(long)width * height * 3} bytes, {argument} has {pixels.Length}", argument);
        return pixels;
    }

    private static DecodedImage Decode(byte[] data, string source, string name, ImageLimits? limits)
    {
        limits = (limits ?? ImageLimits.Default).Validated();
        if (data.Length == 0) throw new ImageLoadException(source, "the file is empty (0 bytes)");
        IImageInfo? info;
        IImageFormat? format;
        try
        {
            info = Image.Identify(data, out format);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageLoadException(source, $"not a readable image: {e.Message}", e);
        }
        if (info is null || format is null)
        {
            string head = Convert.ToHexString(data.AsSpan(0, Math.Min(8, data.Length)));
            throw new ImageLoadException(source, $"not an image in a format this loader decodes (JPEG, PNG, BMP, GIF, TGA, TIFF, WebP, PBM); the file starts with 0x{head}");
        }
        if (info.Width <= 0 || info.Height <= 0)
            throw new ImageLoadException(source, $"zero-size image ({info.Width}x{info.Height}) in the {format.Name} header");
        // Before anything inflates or decodes pixels (the PNG completeness check inflates the whole stream).
        limits.Check(info.Width, info.Height, format.Name, source);

        byte[]? gifTransparent = ContainerChecks.Verify(format, data, source);
        var kind = PillowConvert.Classify(format, info.Metadata);
        try
        {
            byte[] bgr;
            int width, height, orientation;
            if (kind is PillowSource.Grey16 or PillowSource.Deep16)
            {
                using var image = FirstFrame<Rgba64>(data, format);
                (bgr, width, height, orientation) = (PillowConvert.ToBgr(image, kind), image.Width, image.Height, ExifOrientation.Read(image));
            }
            else
            {
                using var image = FirstFrame<Rgba32>(data, format);
                (bgr, width, height, orientation) = (PillowConvert.ToBgr(image, kind, gifTransparent), image.Width, image.Height, ExifOrientation.Read(image));
            }
            var oriented = ExifOrientation.Apply(bgr, width, height, orientation, out int outWidth, out int outHeight);
            return new DecodedImage(outWidth, outHeight, oriented, name);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or ImageLoadException))
        {
            throw new ImageLoadException(source, $"cannot decode the {format.Name} data: {e.Message}", e);
        }
    }

    // mmcv reads a GIF's or TIFF's first frame only (Image.open + convert), so decode just that: the pixel limit
    // is checked on the first frame's header, and later frames must not add to the memory.
    private static Image<T> FirstFrame<T>(byte[] data, IImageFormat format) where T : unmanaged, IPixel<T> => format switch
    {
        GifFormat => Image.Load<T>(data, new GifDecoder { DecodingMode = FrameDecodingMode.First }),
        TiffFormat => Image.Load<T>(data, new TiffDecoder { DecodingMode = FrameDecodingMode.First }),
        _ => Image.Load<T>(data),
    };
}
