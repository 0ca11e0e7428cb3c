using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Model;

/// <summary>How Pillow turns a decoded file into 8-bit RGB, by the mode Pillow opens it in.</summary>
internal enum PillowSource
{
    /// <summary>
    /// Modes whose <c>convert('RGB')</c> keeps 8-bit colour values and drops any alpha: RGB, RGBA (alpha dropped,
    /// not composited), L and 1 (grey replicated), P (palette lookup; palette alpha and tRNS ignored), CMYK, YCbCr.
    /// ImageSharp's 8-bit RGBA output gives the same colour bytes for these.
    /// </summary>
    Rgb8,

    /// <summary>8-bit grey + alpha ('LA'): mmcv composites it over (124, 117, 104) with the alpha as paste mask.</summary>
    GreyAlpha8,

    /// <summary>16-bit grey ('I;16' or 'I'): <c>convert('RGB')</c> clips each value to 0..255.</summary>
    Grey16,

    /// <summary>
    /// 16-bit colour, or 16-bit grey + alpha: Pillow's PNG plugin unpacks these ('RGB;16B', 'RGBA;16B',
    /// 'LA;16B' into RGBA) keeping only the most significant byte of each sample.
    /// </summary>
    Deep16,
}

/// <summary>
/// Pillow's conversion rules (mmcv <c>_pillow2array</c> with flag 'color': <c>img.convert('RGB')</c>, or for
/// mode 'LA' a paste over a (124, 117, 104) canvas), applied to ImageSharp's decoded pixels, ending in BGR bytes.
/// </summary>
internal static class PillowConvert
{
    /// <summary>The canvas colour mmcv pastes 'LA' images onto (R, G, B).</summary>
    internal static readonly byte[] LaCanvas = [124, 117, 104];

    /// <summary>
    /// The Pillow mode family of the file, from its format header. Only PNG needs more than
    /// <see cref="PillowSource.Rgb8"/>: Pillow's PNG modes are (bit depth, colour type) → (1, 0) '1', (2/4/8, 0) 'L',
    /// (16, 0) 'I;16' (older Pillow: 'I'), (8/16, 2) 'RGB', palette 'P', (8, 4) 'LA', (16, 4) 'RGBA' via 'LA;16B',
    /// (8/16, 6) 'RGBA' (PngImagePlugin._MODES).
    /// </summary>
    public static PillowSource Classify(IImageFormat format, ImageMetadata metadata)
    {
        if (format is not PngFormat) return PillowSource.Rgb8;
        var png = metadata.GetPngMetadata();
        if (png.BitDepth == PngBitDepth.Bit16)
            return png.ColorType == PngColorType.Grayscale ? PillowSource.Grey16 : PillowSource.Deep16;
        return png.ColorType == PngColorType.GrayscaleWithAlpha ? PillowSource.GreyAlpha8 : PillowSource.Rgb8;
    }

    /// <summary>
    /// Pillow's paste of grey <paramref name="grey"/> with mask value <paramref name="alpha"/> onto a canvas channel
    /// <paramref name="canvas"/> (libImaging Paste.c <c>paste_mask</c> with an 'L' mask, macro BLEND):
    /// out = DIV255(canvas·(255 − alpha) + grey·alpha), where DIV255(v) = (t + (t &gt;&gt; 8)) &gt;&gt; 8 with t = v + 128,
    /// which equals v / 255 rounded to nearest for every v in 0..255·255.
    /// mmcv converts 'LA' to 'RGBA' first (R = G = B = L, A = A) and pastes it with its own alpha band as the mask.
    /// </summary>
    public static byte CompositeOverCanvas(byte grey, byte alpha, byte canvas)
    {
        int t = canvas * (255 - alpha) + grey * alpha + 128;
        return (byte)((t + (t >> 8)) >> 8);
    }

    /// <summary>
    /// BGR bytes from an 8-bit decode. <paramref name="transparent"/> (R, G, B), when given, replaces pixels the
    /// decoder left fully transparent (a GIF's transparent index: Pillow keeps the index and the palette gives its colour).
    /// </summary>
    public static byte[] ToBgr(Image<Rgba32> image, PillowSource kind, byte[]? transparent)
    {
        var pixels = new Rgba32[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        var bgr = new byte[pixels.Length * 3];
        for (int i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            int o = i * 3;
            if (kind == PillowSource.GreyAlpha8)
            {
                // The decoder replicates L into R, G and B; canvas is RGB, output BGR.
                bgr[o] = CompositeOverCanvas(p.R, p.A, LaCanvas[2]);
                bgr[o + 1] = CompositeOverCanvas(p.R, p.A, LaCanvas[1]);
                bgr[o + 2] = CompositeOverCanvas(p.R, p.A, LaCanvas[0]);
            }
            else if (transparent is not null && p.A == 0)
            {
                bgr[o] = transparent[2];
                bgr[o + 1] = transparent[1];
                bgr[o + 2] = transparent[0];
            }
            else
            {
                bgr[o] = p.B;
                bgr[o + 1] = p.G;
                bgr[o + 2] = p.R;
            }
        }
        return bgr;
    }

    /// <summary>
    /// BGR bytes from a 16-bit decode (ImageSharp keeps the file's 16-bit samples exactly in <see cref="Rgba64"/>).
    /// 'I;16' → RGB: each value v becomes min(v, 255) (Convert.c I16_RGB: high byte non-zero → 255, else the low
    /// byte; the older 'I' mode's i2rgb clips the same way). 16-bit colour: v &gt;&gt; 8 (Unpack.c RGB;16B, LA;16B).
    /// </summary>
    public static byte[] ToBgr(Image<Rgba64> image, PillowSource kind)
    {
        var pixels = new Rgba64[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        var bgr = new byte[pixels.Length * 3];
        for (int i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            int o = i * 3;
            if (kind == PillowSource.Grey16)
            {
                byte v = (byte)Math.Min(p.R, (ushort)255);
                bgr[o] = bgr[o + 1] = bgr[o + 2] = v;
            }
            else
            {
                bgr[o] = (byte)(p.B >> 8);
                bgr[o + 1] = (byte)(p.G >> 8);
                bgr[o + 2] = (byte)(p.R >> 8);
            }
        }
        return bgr;
    }
}
