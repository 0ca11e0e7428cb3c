using CondInst.Kernels.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Tests.Model.Output;

/// <summary>Overlay pixels computed by hand: blended masks, box outlines, captions, untouched background.</summary>
public sealed class OverlayRendererTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("overlay").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private const int W = 20, H = 16;

    // Every pixel RGB (10, 20, 30).
    private static DecodedImage Plain() =>
        ImageLoader.FromRgb([.. Enumerable.Range(0, W * H).SelectMany(_ => new byte[] { 10, 20, 30 })], W, H, "plain");

    private static byte[] Rect(int x0, int y0, int x1, int y1)
    {
        var m = new byte[W * H];
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
                m[y * W + x] = 1;
        return m;
    }

    private static Detection D(byte[] mask, float x1, float y1, float x2, float y2, int label, string name = "c") =>
        new(x1, y1, x2, y2, 0.5f, label, name, CompactMask.FromFull(mask, W, H));

    private static (byte, byte, byte) At(byte[] rgb, int x, int y) => (rgb[(y * W + x) * 3], rgb[(y * W + x) * 3 + 1], rgb[(y * W + x) * 3 + 2]);

    [Fact]
    public void MasksBlendBoxesOutlineBackgroundStays()
    {
        var instances = new[]
        {
            // Mask columns 3..8, rows 4..9; box (2, 3)-(12, 11) covers pixel columns 2..11, rows 3..10.
            D(Rect(3, 4, 8, 9), 2f, 3f, 12f, 11f, 0),
            D(Rect(7, 8, 8, 9), 7f, 8f, 9f, 10f, 5),
        };
        var rgb = OverlayRenderer.RenderRgb(Plain(), instances, drawText: false);
        Assert.Equal((230, 25, 75), ((int)OverlayRenderer.ColourOf(0).R, (int)OverlayRenderer.ColourOf(0).G, (int)OverlayRenderer.ColourOf(0).B));
        Assert.Equal((60, 180, 75), ((int)OverlayRenderer.ColourOf(1).R, (int)OverlayRenderer.ColourOf(1).G, (int)OverlayRenderer.ColourOf(1).B));

        // Inside mask 0 only: ((10 + 230 + 1) / 2, (20 + 25 + 1) / 2, (30 + 75 + 1) / 2) = (120, 23, 53).
        Assert.Equal(((byte)120, (byte)23, (byte)53), At(rgb, 5, 6));
        // Inside both masks, but not on box 1's outline? Box 1 spans columns 7..8, rows 8..9: all of it is outline.
        // Box outlines are drawn after all masks, so (7, 8) has colour 1 exactly.
        Assert.Equal(((byte)60, (byte)180, (byte)75), At(rgb, 7, 8));
        // Box 0's outline, 2 pixels wide on the inside of columns 2..11 and rows 3..10.
        foreach (var (x, y) in new[] { (2, 6), (3, 6), (10, 6), (11, 6), (6, 3), (6, 4), (6, 9), (6, 10), (2, 3), (11, 10) })
            Assert.Equal(((byte)230, (byte)25, (byte)75), At(rgb, x, y));
        // Inside box 0, off its outline, outside the masks: unchanged. Outside everything: unchanged.
        Assert.Equal(((byte)10, (byte)20, (byte)30), At(rgb, 9, 5));
        Assert.Equal(((byte)10, (byte)20, (byte)30), At(rgb, 15, 14));
        Assert.Equal(((byte)10, (byte)20, (byte)30), At(rgb, 12, 6)); // just right of the box
    }

    [Fact]
    public void OverlappingMasksBlendInOrder()
    {
        var instances = new[]
        {
            D(Rect(0, 0, 9, 9), float.NaN, 0, 0, 0, 0), // no box drawn for non-finite coordinates
            D(Rect(5, 5, 14, 14), float.NaN, 0, 0, 0, 0),
        };
        var rgb = OverlayRenderer.RenderRgb(Plain(), instances, drawText: false);
        // (120, 23, 53) then with (60, 180, 75): ((120 + 60 + 1) / 2, (23 + 180 + 1) / 2, (53 + 75 + 1) / 2) = (90, 102, 64).
        Assert.Equal(((byte)90, (byte)102, (byte)64), At(rgb, 6, 6));
        Assert.Equal(((byte)120, (byte)23, (byte)53), At(rgb, 2, 2));
        // Only mask 1: ((10 + 60 + 1) / 2, (20 + 180 + 1) / 2, (30 + 75 + 1) / 2) = (35, 100, 53).
        Assert.Equal(((byte)35, (byte)100, (byte)53), At(rgb, 12, 12));
    }

    [Fact]
    public void BoxesAreClippedToTheImage()
    {
        // Box far outside on every side: pixel rectangle −1..20 x −1..16, its 2-pixel lines reach one pixel in.
        var rgb = OverlayRenderer.RenderRgb(Plain(), [D(new byte[W * H], -5f, -5f, 100f, 100f, 0)], drawText: false);
        foreach (var (x, y) in new[] { (0, 8), (19, 8), (10, 0), (10, 15), (0, 0), (19, 15) })
            Assert.Equal(((byte)230, (byte)25, (byte)75), At(rgb, x, y));
        Assert.Equal(((byte)10, (byte)20, (byte)30), At(rgb, 1, 8));
        Assert.Equal(((byte)10, (byte)20, (byte)30), At(rgb, 10, 1));
    }

    [Fact]
    public void CaptionSitsAboveTheBox()
    {
        // Box rows start at 12, so the 9-pixel caption bar covers rows 3..11 from column 4; the text starts one pixel in.
        // 'A' row 0 is .###. : glyph column 1 is ink (white on this dark red), column 0 is bar colour.
        var rgb = OverlayRenderer.RenderRgb(Plain(), [D(new byte[W * H], 4f, 12f, 15f, 15f, 0, "a")]);
        Assert.Equal(((byte)230, (byte)25, (byte)75), At(rgb, 4, 3));
        Assert.Equal(((byte)230, (byte)25, (byte)75), At(rgb, 5, 4));
        Assert.Equal(((byte)255, (byte)255, (byte)255), At(rgb, 6, 4));
        Assert.Equal(((byte)255, (byte)255, (byte)255), At(rgb, 5, 7)); // row 3 of 'A' is #####
        Assert.Equal(((byte)10, (byte)20, (byte)30), At(rgb, 4, 2)); // above the bar
        Assert.Equal("a 0.50", OverlayRenderer.Caption(D(new byte[W * H], 4f, 12f, 15f, 15f, 0, "a")));
    }

    [Fact]
    public void SavesAPngOfTheImageSizeAtomically()
    {
        string path = Path.Combine(_dir, "plain_overlay.png");
        var detection = new Detection(2f, 3f, 12f, 11f, 0.875f, 0, "person", CompactMask.FromFull(Rect(3, 4, 8, 9), W, H));
        OverlayRenderer.SavePng(path, Plain(), [detection], drawText: false);
        Assert.Equal(["plain_overlay.png"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        using var png = Image.Load<Rgb24>(path);
        Assert.Equal((W, H), (png.Width, png.Height));
        Assert.Equal(new Rgb24(120, 23, 53), png[5, 6]);
        Assert.Equal(new Rgb24(230, 25, 75), png[2, 6]);
        Assert.Equal(new Rgb24(10, 20, 30), png[15, 14]);
        Assert.Equal("person 0.88", OverlayRenderer.Caption(detection));
    }

    [Fact]
    public void AMaskOfTheWrongSizeIsRefused()
    {
        var wrong = new Detection(0, 0, 1, 1, 0.5f, 0, "c", CompactMask.FromFull(new byte[7], 7, 1));
        var e = Assert.Throws<ArgumentException>(() => OverlayRenderer.RenderRgb(Plain(), [wrong]));
        Assert.Contains("mask of instance 0 is 7x1, the image is 20x16", e.Message);
    }
}
