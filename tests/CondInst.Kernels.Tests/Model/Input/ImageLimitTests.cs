using System.Buffers.Binary;
using System.Text;
using CondInst.Kernels.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Tests.Model.Input;

/// <summary>
/// <see cref="ImageLimits.MaxImagePixels"/>: a small file whose header announces a huge image (a decompression bomb)
/// is refused from its header, in every format the loader reads, before any pixel is decoded. Each hostile file is
/// a real 8x8 image of that format with its header's dimensions rewritten.
/// </summary>
public sealed class ImageLimitTests
{
    private static byte[] Encode(IImageEncoder encoder)
    {
        using var image = new Image<Rgb24>(8, 8, new Rgb24(10, 200, 30));
        using var ms = new MemoryStream();
        image.Save(ms, encoder);
        return ms.ToArray();
    }

    private static int Find(byte[] d, params byte[] pattern) => d.AsSpan().IndexOf(pattern);

    // Each returns (bytes, announced width, announced height).
    public static TheoryData<string> Formats => new() { "png", "jpeg", "gif", "bmp", "tiff", "webp", "tga", "pbm" };

    private static (byte[] Data, long Width, long Height) Bomb(string format)
    {
        switch (format)
        {
            case "png":
                {
                    var d = TestImages.Png(8, 8, 8, TestImages.Grey, new byte[64]);
                    BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(16), 20000);
                    BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(20), 20000);
                    TestImages.FixCrc(d, 8);
                    return (d, 20000, 20000);
                }
            case "jpeg":
                {
                    var d = Encode(new JpegEncoder());
                    int sof = Find(d, 0xFF, 0xC0);
                    BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(sof + 5), 60000); // height
                    BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(sof + 7), 60000); // width
                    return (d, 60000, 60000);
                }
            case "gif":
                {
                    var d = Encode(new GifEncoder());
                    BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(6), 65535); // logical screen
                    BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(8), 65535);
                    return (d, 65535, 65535);
                }
            case "bmp":
                {
                    var d = Encode(new BmpEncoder());
                    BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(18), 30000);
                    BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(22), 30000);
                    return (d, 30000, 30000);
                }
            case "tiff":
                {
                    var d = Encode(new TiffEncoder());
                    // First IFD: a count, then 12-byte entries (tag, type, count, value); ImageWidth 256, ImageLength 257.
                    int ifd = BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(4));
                    int n = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(ifd));
                    for (int i = 0; i < n; i++)
                    {
                        int e = ifd + 2 + 12 * i;
                        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(e)), type = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(e + 2));
                        if (tag is not (256 or 257)) continue;
                        if (type == 3) BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(e + 8), 40000);
                        else BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(e + 8), 40000);
                    }
                    return (d, 40000, 40000);
                }
            case "webp":
                {
                    var d = Encode(new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
                    // VP8L: signature 0x2F, then 14 bits width-1 and 14 bits height-1, little-endian.
                    int p = Find(d, (byte)'V', (byte)'P', (byte)'8', (byte)'L') + 9;
                    uint bits = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(p));
                    bits = (bits & 0xF0000000u) | 16383u | (16383u << 14);
                    BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(p), bits);
                    return (d, 16384, 16384);
                }
            case "tga":
                {
                    var d = Encode(new TgaEncoder { Compression = TgaCompression.RunLength });
                    BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(12), 20000);
                    BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(14), 20000);
                    return (d, 20000, 20000);
                }
            default:
                return ([.. Encoding.ASCII.GetBytes("P4\n20000 20000\n"), .. new byte[64]], 20000, 20000);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void HeaderAnnouncingMorePixelsThanTheLimitIsRefusedBeforeDecoding(string format)
    {
        var (data, w, h) = Bomb(format);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(new MemoryStream(data), "bomb." + format));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal($"bomb.{format}: the {FormatName(format)} header announces {w}x{h} = {w * h} pixels, which exceeds the limit ImageLimits.MaxImagePixels = 178956970 (a decompression-bomb guard; raise it with --max-image-pixels or ImageLimits.MaxImagePixels)", e.Message);
        // Refused from the header: nothing near the image's size was allocated (it would be ≥ 1.6 GB).
        Assert.True(allocated < 64 << 20, $"{allocated} bytes allocated before the refusal");
    }

    private static string FormatName(string format) => format switch
    {
        "png" => "PNG",
        "jpeg" => "JPEG",
        "gif" => "GIF",
        "bmp" => "BMP",
        "tiff" => "TIFF",
        "webp" => "Webp",
        "tga" => "TGA",
        _ => "PBM",
    };

    [Fact]
    public void TheLimitIsInclusiveAndCanBeChanged()
    {
        var png = TestImages.Png(2, 2, 8, TestImages.Grey, [1, 2, 3, 4]);
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(new MemoryStream(png), "small.png", new ImageLimits { MaxImagePixels = 3 }));
        Assert.Contains("announces 2x2 = 4 pixels, which exceeds the limit ImageLimits.MaxImagePixels = 3", e.Message);
        var ok = ImageLoader.Load(new MemoryStream(png), "small.png", new ImageLimits { MaxImagePixels = 4 });
        Assert.Equal((2, 2), (ok.Width, ok.Height));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageLoader.Load(new MemoryStream(png), "small.png", new ImageLimits { MaxImagePixels = 0 }));
    }

    [Fact]
    public void FifoIsRefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("mkfifo is a Linux test here");
        using var dir = new CondInst.Kernels.Tests.Importer.TempDir();
        string fifo = dir.File("pipe.png");
        using (var p = System.Diagnostics.Process.Start("mkfifo", fifo)) p.WaitForExit();
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(fifo));
        Assert.Equal($"{fifo}: the file is empty (0 bytes) or not a regular file (a FIFO or device)", e.Message);
    }
}
