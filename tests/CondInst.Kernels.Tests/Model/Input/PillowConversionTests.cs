using CondInst.Kernels.Model;
using static CondInst.Kernels.Tests.Model.Input.TestImages;

namespace CondInst.Kernels.Tests.Model.Input;

/// <summary>Each of Pillow's conversions to RGB (then BGR), on hand-built PNGs with hand-computed expected bytes.</summary>
public sealed class PillowConversionTests
{
    private static DecodedImage Decode(byte[] file) => ImageLoader.Load(new MemoryStream(file), "t");

    [Fact]
    public void RgbBecomesBgr()
    {
        var img = Decode(Png(2, 1, 8, Rgb, [1, 2, 3, 250, 128, 0]));
        Assert.Equal((2, 1), (img.Width, img.Height));
        Assert.Equal(new byte[] { 3, 2, 1, 0, 128, 250 }, img.Bgr);
    }

    [Fact]
    public void GreyIsReplicatedIntoThreeChannels()
    {
        var img = Decode(Png(3, 1, 8, Grey, [0, 77, 255]));
        Assert.Equal(new byte[] { 0, 0, 0, 77, 77, 77, 255, 255, 255 }, img.Bgr);
    }

    [Fact]
    public void TwoBitGreyIsScaledBy85()
    {
        // Pillow's 'L;2' unpacking: 0, 1, 2, 3 -> 0, 85, 170, 255. Samples packed MSB first: 00 01 10 11 = 0x1B.
        var img = Decode(Png(4, 1, 2, Grey, [0x1B]));
        Assert.Equal(new byte[] { 0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255 }, img.Bgr);
    }

    [Fact]
    public void RgbaDropsAlphaWithoutCompositing()
    {
        // A fully transparent pixel keeps its colour: convert('RGB') discards alpha.
        var img = Decode(Png(2, 1, 8, Rgba, [200, 100, 50, 0, 9, 8, 7, 128]));
        Assert.Equal(new byte[] { 50, 100, 200, 7, 8, 9 }, img.Bgr);
    }

    [Fact]
    public void GreyAlphaIsPastedOverTheMmcvCanvas()
    {
        // out = round((canvas·(255 − a) + L·a) / 255), canvas (R, G, B) = (124, 117, 104):
        // (L 200, a 100): R (124·155 + 20000) / 255 = 39220 / 255 = 153.8 -> 154; G 38135 / 255 = 149.55 -> 150;
        //                 B 36120 / 255 = 141.65 -> 142.
        // (L 10, a 0): the canvas itself. (L 77, a 255): the grey itself.
        // (L 0, a 128): R 124·127 / 255 = 61.76 -> 62; G 117·127 / 255 = 58.27 -> 58; B 104·127 / 255 = 51.8 -> 52.
        var img = Decode(Png(4, 1, 8, GreyAlpha, [200, 100, 10, 0, 77, 255, 0, 128]));
        Assert.Equal(new byte[] { 142, 150, 154, 104, 117, 124, 77, 77, 77, 52, 58, 62 }, img.Bgr);
    }

    [Fact]
    public void PasteArithmeticIsRoundToNearestForEveryInput()
    {
        // The DIV255 shortcut in Pillow's BLEND macro equals exact rounding of v / 255 over its whole input range.
        foreach (byte canvas in new byte[] { 0, 104, 117, 124, 255 })
            for (int grey = 0; grey < 256; grey++)
                for (int a = 0; a < 256; a++)
                {
                    int v = canvas * (255 - a) + grey * a;
                    int expected = (2 * v + 255) / 510; // floor(v / 255 + 1/2); v / 255 is never exactly .5
                    Assert.Equal(expected, PillowConvert.CompositeOverCanvas((byte)grey, (byte)a, canvas));
                }
    }

    [Fact]
    public void PaletteGivesPaletteColoursIgnoringTransparency()
    {
        byte[] plte = [255, 0, 0, 0, 255, 0, 10, 20, 30];
        byte[] trns = [255, 0, 128];
        var img = Decode(Png(3, 1, 8, Palette, [0, 1, 2], ("PLTE", plte), ("tRNS", trns)));
        Assert.Equal(new byte[] { 0, 0, 255, 0, 255, 0, 30, 20, 10 }, img.Bgr);
    }

    [Fact]
    public void SixteenBitGreyIsClippedTo255()
    {
        // Pillow opens it as 'I;16'; I16 -> RGB gives the low byte when the high byte is 0, else 255.
        // 0x00FF -> 255, 0x0100 -> 255, 0x1234 -> 255, 0x0007 -> 7, 0x0080 -> 128 (a scaling decoder would give 1, 1, 18, 0, 0).
        var img = Decode(Png(5, 1, 16, Grey, [0x00, 0xFF, 0x01, 0x00, 0x12, 0x34, 0x00, 0x07, 0x00, 0x80]));
        Assert.Equal(new byte[] { 255, 255, 255, 255, 255, 255, 255, 255, 255, 7, 7, 7, 128, 128, 128 }, img.Bgr);
    }

    [Fact]
    public void SixteenBitRgbKeepsTheMostSignificantByte()
    {
        // 'RGB;16B' unpacking: (0x12FF, 0x00FF, 0xFF00) -> (0x12, 0x00, 0xFF); rounding v·255 / 65535 would give 0x13, 0x01, 0xFE.
        var img = Decode(Png(1, 1, 16, Rgb, [0x12, 0xFF, 0x00, 0xFF, 0xFF, 0x00]));
        Assert.Equal(new byte[] { 0xFF, 0x00, 0x12 }, img.Bgr);
    }

    [Fact]
    public void SixteenBitRgbaKeepsTheMostSignificantByteAndDropsAlpha()
    {
        var img = Decode(Png(1, 1, 16, Rgba, [0xAB, 0xCD, 0x12, 0x80, 0x00, 0xFF, 0x00, 0x00]));
        Assert.Equal(new byte[] { 0x00, 0x12, 0xAB }, img.Bgr);
    }

    [Fact]
    public void SixteenBitGreyAlphaIsOpenedAsRgbaSoAlphaIsDropped()
    {
        // Pillow maps (16-bit, grey + alpha) to 'RGBA' via 'LA;16B': grey = high byte, and 'RGBA' is not mmcv's
        // 'LA' special case, so no compositing: (0x80FF, alpha 0) -> 128 everywhere.
        var img = Decode(Png(1, 1, 16, GreyAlpha, [0x80, 0xFF, 0x00, 0x00]));
        Assert.Equal(new byte[] { 128, 128, 128 }, img.Bgr);
    }

    [Fact]
    public void GifTransparentIndexShowsItsPaletteColour()
    {
        // Pixel 0 is index 0 = (10, 20, 30); pixel 1 is the transparent index 1, whose palette entry is (200, 100, 50).
        var img = Decode(GifWithTransparentIndex());
        Assert.Equal((2, 1), (img.Width, img.Height));
        Assert.Equal(new byte[] { 30, 20, 10, 50, 100, 200 }, img.Bgr);
    }

    [Fact]
    public void LosslessFormatsDecodeExactly()
    {
        // BMP, TGA, lossless WebP, TIFF written by ImageSharp from known pixels decode back to the same BGR bytes.
        using var src = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(5, 4);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++)
                src[x, y] = new SixLabors.ImageSharp.PixelFormats.Rgb24((byte)(40 * x + 3), (byte)(50 * y + 7), (byte)(x * y * 11));
        var encoders = new SixLabors.ImageSharp.Formats.IImageEncoder[]
        {
            new SixLabors.ImageSharp.Formats.Bmp.BmpEncoder(),
            new SixLabors.ImageSharp.Formats.Tga.TgaEncoder(),
            new SixLabors.ImageSharp.Formats.Webp.WebpEncoder { FileFormat = SixLabors.ImageSharp.Formats.Webp.WebpFileFormatType.Lossless },
            new SixLabors.ImageSharp.Formats.Tiff.TiffEncoder(),
        };
        foreach (var encoder in encoders)
        {
            var ms = new MemoryStream();
            src.Save(ms, encoder);
            var img = Decode(ms.ToArray());
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 5; x++)
                    Assert.Equal((src[x, y].B, src[x, y].G, src[x, y].R), img.Pixel(x, y));
        }
    }
}
