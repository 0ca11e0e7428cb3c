using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Harness;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Tests.Model.Input;

/// <summary>The mini fixture's input.png through the loader, checked against lossless decoding and mmdetection's resize.</summary>
public sealed class FixtureDecodeTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", name);

    [Fact]
    public void InputPngIsItsLosslessPixelsInBgrOrder()
    {
        var img = ImageLoader.Load(Fixture("input.png"));
        Assert.Equal("input", img.Name);
        Assert.Equal((451, 300), (img.Width, img.Height)); // ori_shape (300, 451)

        // PNG is lossless: any correct decoder gives the same RGB; the loader must give exactly those bytes reversed.
        using var rgb = Image.Load<Rgb24>(Fixture("input.png"));
        var pixels = new Rgb24[451 * 300];
        rgb.CopyPixelDataTo(pixels);
        for (int i = 0; i < pixels.Length; i++)
        {
            Assert.Equal(pixels[i].B, img.Bgr[3 * i]);
            Assert.Equal(pixels[i].G, img.Bgr[3 * i + 1]);
            Assert.Equal(pixels[i].R, img.Bgr[3 * i + 2]);
        }
    }

    [Fact]
    public void PillowResizeOfTheDecodedImageIsTheFixturesResizedImage()
    {
        // resized_uint8 is mmdetection's Pillow BILINEAR resize of the loaded BGR image to 421x280, stored CHW.
        // Resizing the loader's output with the reference Pillow resize must reproduce it byte for byte, which
        // pins both the decode and the channel order.
        var img = ImageLoader.Load(Fixture("input.png"));
        var expected = NpyArray.Read(Fixture("resized_uint8.npy.gz"));
        Assert.Equal(new[] { 3, 280, 421 }, expected.Shape);
        var backend = TestBackends.Reference;
        using var x = backend.Upload<byte>(img.Bgr, 300, 451, 3);
        using var y = backend.Allocate(DType.UInt8, 280, 421, 3);
        backend.ResizePillowBilinear(x, y);
        var hwc = new byte[280 * 421 * 3];
        backend.Download<byte>(y, hwc);
        int mismatches = 0;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 280 * 421; i++)
                if (hwc[i * 3 + c] != expected.Data[c * 280 * 421 + i]) mismatches++;
        Assert.Equal(0, mismatches);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void DemoImagesDecodeToTheSizeOfMmdetectionsMasks(int k)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo");
        var img = ImageLoader.Load(Path.Combine(dir, $"demo_{k}.png"));
        var masks = NpyArray.Read(Path.Combine(dir, $"demo_{k}_det_masks.npy.gz"));
        Assert.Equal((masks.Shape[1], masks.Shape[2]), (img.Height, img.Width));
        Assert.Equal($"demo_{k}", img.Name);
    }

    [Fact]
    public void FromBgrAndFromRgbValidateAndCopy()
    {
        byte[] rgb = [1, 2, 3, 4, 5, 6];
        var a = ImageLoader.FromRgb(rgb, 2, 1, "a");
        Assert.Equal(new byte[] { 3, 2, 1, 6, 5, 4 }, a.Bgr);
        var b = ImageLoader.FromBgr(rgb, 1, 2, "b");
        Assert.Equal(rgb, b.Bgr);
        rgb[0] = 99;
        Assert.Equal(1, b.Bgr[0]); // a copy, not the caller's array
        Assert.Equal((4, 5, 6), ((int)b.Pixel(0, 1).B, (int)b.Pixel(0, 1).G, (int)b.Pixel(0, 1).R));

        var e = Assert.Throws<ArgumentException>(() => ImageLoader.FromBgr(new byte[5], 2, 1, "short"));
        Assert.Contains("needs 6 bytes", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageLoader.FromRgb([], 0, 1, "empty"));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Pixel(1, 0));
    }
}
