using System.Text;
using System.Text.RegularExpressions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;

namespace CondInst.Kernels.Model;

/// <summary>
/// Pillow's <c>ImageOps.exif_transpose</c>, as mmcv applies it for flag 'color': the EXIF Orientation tag picks one of
/// seven transposes; any other value (absent, 1, 0, 9, …) leaves the image as decoded.
/// </summary>
internal static partial class ExifOrientation
{
    /// <summary>
    /// The orientation value Pillow's <c>Image.getexif()</c> reports: the EXIF tag 0x0112 (JPEG APP1, PNG eXIf,
    /// WebP EXIF, TIFF's own IFD); only when EXIF has no such tag, the first <c>tiff:Orientation="d"</c> or
    /// <c>tiff:Orientation&gt;d</c> in the XMP packet (recent Pillow reads it from PNG's 'XML:com.adobe.xmp' and from
    /// JPEG/WebP XMP; Pillow 10 and older only from PNG). Returns 1 when there is none.
    /// </summary>
    public static int Read(Image image)
    {
        // ImageSharp keeps a TIFF's own tags on the frame, other formats' EXIF on the image.
        var tag = image.Metadata.ExifProfile?.GetValue(ExifTag.Orientation)
            ?? image.Frames.RootFrame.Metadata.ExifProfile?.GetValue(ExifTag.Orientation);
        if (tag is not null) return tag.Value;

        var xmp = image.Metadata.XmpProfile?.ToByteArray() ?? image.Frames.RootFrame.Metadata.XmpProfile?.ToByteArray();
        string? text = xmp is null ? null : Encoding.UTF8.GetString(xmp);
        if (text is null && image.Metadata.GetPngMetadata() is { } png)
        {
            foreach (var t in png.TextData)
                if (t.Keyword == "XML:com.adobe.xmp") { text = t.Value; break; }
        }
        if (text is null) return 1;
        var m = XmpOrientation().Match(text);
        return m.Success ? m.Groups[2].Value[0] - '0' : 1;
    }

    [GeneratedRegex("tiff:Orientation(=\"|>)([0-9])")]
    private static partial Regex XmpOrientation();

    /// <summary>True for the orientations that change the image (2..8).</summary>
    public static bool Transposes(int orientation) => orientation is >= 2 and <= 8;

    /// <summary>
    /// Applies orientation <paramref name="orientation"/> to an HWC 3-channel image of <paramref name="width"/> x
    /// <paramref name="height"/>. Pillow's methods: 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE,
    /// 6 ROTATE_270 (90° clockwise), 7 TRANSVERSE, 8 ROTATE_90 (90° counter-clockwise); 5..8 swap width and height.
    /// Output pixel (x, y) is read from the source pixel given per case below.
    /// </summary>
    public static byte[] Apply(byte[] src, int width, int height, int orientation, out int outWidth, out int outHeight)
    {
        bool swap = orientation is >= 5 and <= 8;
        outWidth = swap ? height : width;
        outHeight = swap ? width : height;
        if (!Transposes(orientation)) return src;
        var dst = new byte[src.Length];
        int w = width, h = height;
        for (int y = 0; y < outHeight; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x), // 8
                };
                int s = (sy * w + sx) * 3, d = (y * outWidth + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return dst;
    }
}
