using System.Buffers.Binary;
using CondInst.Kernels.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using static CondInst.Kernels.Tests.Model.Input.TestImages;

namespace CondInst.Kernels.Tests.Model.Input;

/// <summary>Every unloadable input gives one <see cref="ImageLoadException"/> naming the file and the problem.</summary>
public sealed class ImageLoadErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("imgload").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static void Fails(string path, string expected)
    {
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
        Assert.Equal(path, e.FileName);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Problem);
    }

    [Fact]
    public void MissingFile() => Fails(Path.Combine(_dir, "nope.jpg"), "file not found");

    [Fact]
    public void Directory_() => Fails(_dir, "directory");

    [Fact]
    public void EmptyFile() => Fails(Save(_dir, "empty.png", []), "empty");

    [Fact]
    public void TextFile() => Fails(Save(_dir, "notes.jpg", "just some text\n"u8.ToArray()), "not an image");

    [Fact]
    public void TruncatedPng()
    {
        var noise = new byte[40 * 30 * 3];
        new Random(3).NextBytes(noise);
        var png = Png(40, 30, 8, Rgb, noise);
        Fails(Save(_dir, "cut.png", png[..(png.Length / 2)]), "the PNG file is truncated");
        // Losing only the IEND chunk is harmless, as in Pillow: every pixel is there.
        var img = ImageLoader.Load(Save(_dir, "noend.png", png[..^12]));
        Assert.Equal(noise[3 * 1199 + 2], img.Bgr[3 * 1199]);
    }

    [Fact]
    public void ZeroSizePng()
    {
        var png = Png(1, 1, 8, Grey, [0]);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 0); // IHDR width
        FixCrc(png, 8);
        Fails(Save(_dir, "zero.png", png), "zero-size image (0x1)");
    }

    public static TheoryData<string> LossyAndUncheckedFormats => new() { "jpg", "bmp", "tga", "webp" };

    [Theory]
    [MemberData(nameof(LossyAndUncheckedFormats))]
    public void TruncatedFilesOfFormatsImageSharpWouldPadAreRefused(string extension)
    {
        IImageEncoder encoder = extension switch
        {
            "jpg" => new JpegEncoder(),
            "bmp" => new BmpEncoder(),
            "tga" => new TgaEncoder { Compression = TgaCompression.None },
            _ => new WebpEncoder(),
        };
        using var src = new Image<Rgb24>(64, 48);
        var rng = new Random(5);
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++)
                src[x, y] = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
        var ms = new MemoryStream();
        src.Save(ms, encoder);
        var whole = ms.ToArray();
        var loaded = ImageLoader.Load(Save(_dir, "whole." + extension, whole));
        Assert.Equal((64, 48), (loaded.Width, loaded.Height));
        Fails(Save(_dir, "cut." + extension, whole[..(whole.Length * 3 / 4)]), "truncated");
    }

    [Fact]
    public void TruncatedGif()
    {
        var gif = GifWithTransparentIndex();
        Fails(Save(_dir, "cut.gif", gif[..^3]), "truncated"); // loses the sub-block terminator and the trailer
        Assert.Equal(2, ImageLoader.Load(Save(_dir, "whole.gif", gif)).Width);
    }

    [Fact]
    public void StreamErrorsUseTheGivenName()
    {
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(new MemoryStream([1, 2, 3]), "upload-7"));
        Assert.Equal("upload-7", e.FileName);
        Assert.Contains("0x010203", e.Problem);
    }
}
