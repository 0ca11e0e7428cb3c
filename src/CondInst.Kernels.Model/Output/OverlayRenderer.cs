using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Model;

/// <summary>
/// Draws detections over the original image for inspection: each instance's mask blended half-and-half with its
/// colour, its box as a 2-pixel outline in that colour between a 1-pixel black line outside and a 1-pixel white
/// line inside (so the box stays visible on any background, whatever its colour), and optionally its caption in a
/// 5x7 pixel font on a bar of that colour just above the box (inside the box when there is no room above), moved
/// left or up as needed to stay inside the image. Colours come from a fixed palette of
/// well-separated colours, by instance index, so neighbouring instances of the same class still differ.
/// Everything is drawn in this order, so captions stay readable: all masks, then all boxes, then all captions.
/// </summary>
public static class OverlayRenderer
{
    /// <summary>The instance colours (R, G, B), used in order and then repeated.</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> Palette { get; } =
    [
        (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
        (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (220, 190, 255),
        (170, 110, 40), (128, 0, 0), (170, 255, 195), (0, 0, 128),
    ];

    /// <summary>Box line thickness in pixels.</summary>
    public const int LineWidth = 2;

    /// <summary>The colour of instance <paramref name="index"/>.</summary>
    public static (byte R, byte G, byte B) ColourOf(int index) => Palette[(int)((uint)index % (uint)Palette.Count)];

    /// <summary>Mask blend: out = (image + colour + 1) / 2 per channel (alpha 0.5, halves rounded up).</summary>
    public static byte Blend(byte image, byte colour) => (byte)((image + colour + 1) >> 1);

    /// <summary>The caption of a detection: "name score" with two decimals.</summary>
    public static string Caption(Detection d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"{d.ClassName} {d.Score.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>Renders the overlay as RGB bytes, HWC row-major, the image's size; masks are drawn from their compact form.</summary>
    public static byte[] RenderRgb(DecodedImage image, IReadOnlyList<Detection> detections, bool drawText = true)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(detections);
        int w = image.Width, h = image.Height;
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.Length; i += 3)
        {
            rgb[i] = image.Bgr[i + 2];
            rgb[i + 1] = image.Bgr[i + 1];
            rgb[i + 2] = image.Bgr[i];
        }
        for (int k = 0; k < detections.Count; k++)
        {
            var mask = detections[k].Mask;
            if (mask is null || mask.ImageWidth != w || mask.ImageHeight != h)
                throw new ArgumentException($"overlay of '{image.Name}': mask of instance {k} is {(mask is null ? "missing" : $"{mask.ImageWidth}x{mask.ImageHeight}")}, the image is {w}x{h}");
            var (r, g, b) = ColourOf(k);
            var row = new byte[mask.Width];
            for (int y = 0; y < mask.Height; y++)
            {
                mask.ReadRow(y, row);
                for (int x = 0; x < mask.Width; x++)
                {
                    if (row[x] == 0) continue;
                    int p = (mask.Top + y) * w + mask.Left + x;
                    rgb[3 * p] = Blend(rgb[3 * p], r);
                    rgb[3 * p + 1] = Blend(rgb[3 * p + 1], g);
                    rgb[3 * p + 2] = Blend(rgb[3 * p + 2], b);
                }
            }
        }
        for (int k = 0; k < detections.Count; k++)
        {
            if (BoxPixels(detections[k], w, h) is { } box) DrawOutline(rgb, w, h, box, ColourOf(k));
        }
        if (drawText)
        {
            for (int k = 0; k < detections.Count; k++)
            {
                if (BoxPixels(detections[k], w, h) is not { } box) continue;
                DrawCaption(rgb, w, h, box.Left, box.Top, Caption(detections[k]), ColourOf(k));
            }
        }
        return rgb;
    }

    /// <summary>Renders and saves the overlay as a PNG, atomically (temporary file, then rename).</summary>
    public static void SavePng(string path, DecodedImage image, IReadOnlyList<Detection> detections, bool drawText = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var rgb = RenderRgb(image, detections, drawText);
        using var png = Image.LoadPixelData<Rgb24>(rgb, image.Width, image.Height);
        AtomicFile.Write(path, stream => png.SaveAsPng(stream));
    }

    // The box's pixel rectangle, inclusive: columns floor(x1)..ceil(x2) − 1, rows floor(y1)..ceil(y2) − 1 (at least
    // one pixel), not yet clipped; null for non-finite coordinates or a box entirely outside the image.
    private static (int Left, int Top, int Right, int Bottom)? BoxPixels(Detection d, int w, int h)
    {
        if (!float.IsFinite(d.X1) || !float.IsFinite(d.Y1) || !float.IsFinite(d.X2) || !float.IsFinite(d.Y2)) return null;
        int left = (int)Math.Floor(Math.Clamp(d.X1, -1f, w));
        int top = (int)Math.Floor(Math.Clamp(d.Y1, -1f, h));
        int right = Math.Max(left, (int)Math.Ceiling(Math.Clamp(d.X2, -1f, w + 1f)) - 1);
        int bottom = Math.Max(top, (int)Math.Ceiling(Math.Clamp(d.Y2, -1f, h + 1f)) - 1);
        if (right < 0 || bottom < 0 || left >= w || top >= h) return null;
        return (left, top, right, bottom);
    }

    // The colour lines along the inside of the rectangle, the black line just outside them, the white one just
    // inside; pixels outside the image are skipped.
    private static void DrawOutline(byte[] rgb, int w, int h, (int Left, int Top, int Right, int Bottom) box, (byte R, byte G, byte B) colour)
    {
        var (left, top, right, bottom) = box;
        DrawRing(rgb, w, h, (left - 1, top - 1, right + 1, bottom + 1), 1, (0, 0, 0));
        DrawRing(rgb, w, h, box, LineWidth, colour);
        if (right - left >= 2 * LineWidth && bottom - top >= 2 * LineWidth)
            DrawRing(rgb, w, h, (left + LineWidth, top + LineWidth, right - LineWidth, bottom - LineWidth), 1, (255, 255, 255));
    }

    // Lines `width` pixels wide along the inside of the rectangle.
    private static void DrawRing(byte[] rgb, int w, int h, (int Left, int Top, int Right, int Bottom) box, int width, (byte R, byte G, byte B) colour)
    {
        var (left, top, right, bottom) = box;
        for (int y = top; y <= bottom; y++)
        {
            for (int x = left; x <= right; x++)
            {
                bool edge = y < top + width || y > bottom - width || x < left + width || x > right - width;
                if (edge) Put(rgb, w, h, x, y, colour);
                else if (x == left + width) x = Math.Max(x, right - width); // skip the interior of this row
            }
        }
    }

    private static void DrawCaption(byte[] rgb, int w, int h, int left, int top, string text, (byte R, byte G, byte B) colour)
    {
        const int BarHeight = BitmapFont5x7.GlyphHeight + 2;
        int barWidth = BitmapFont5x7.Width(text) + 2;
        // Above the box when there is room, else at the box's top; shifted to stay inside the image (a caption wider
        // or taller than the image is cut on the right or bottom).
        int barTop = top - BarHeight >= 0 ? top - BarHeight : Math.Clamp(top, 0, Math.Max(0, h - BarHeight));
        int barLeft = Math.Clamp(left, 0, Math.Max(0, w - barWidth));
        // Dark text on light colours, white on dark ones (ITU-R 601 luma).
        bool light = colour.R * 299 + colour.G * 587 + colour.B * 114 > 150_000;
        (byte, byte, byte) ink = light ? ((byte)0, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255);
        for (int y = 0; y < BarHeight; y++)
            for (int x = 0; x < barWidth; x++)
                Put(rgb, w, h, barLeft + x, barTop + y, colour);
        for (int i = 0; i < text.Length; i++)
            for (int gy = 0; gy < BitmapFont5x7.GlyphHeight; gy++)
                for (int gx = 0; gx < BitmapFont5x7.GlyphWidth; gx++)
                    if (BitmapFont5x7.IsSet(text[i], gx, gy))
                        Put(rgb, w, h, barLeft + 1 + i * BitmapFont5x7.Advance + gx, barTop + 1 + gy, ink);
    }

    private static void Put(byte[] rgb, int w, int h, int x, int y, (byte R, byte G, byte B) c)
    {
        if ((uint)x >= (uint)w || (uint)y >= (uint)h) return;
        int o = (y * w + x) * 3;
        rgb[o] = c.R;
        rgb[o + 1] = c.G;
        rgb[o + 2] = c.B;
    }
}
