using CondInst.Kernels.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using static CondInst.Kernels.Tests.Model.Input.TestImages;

namespace CondInst.Kernels.Tests.Model.Input;

/// <summary>Pillow's exif_transpose for every orientation, on a 2x3 image whose six pixels are all different.</summary>
public sealed class ExifOrientationTests
{
    // The source, 2 wide and 3 tall, grey values standing for letters:
    //   a b        a = 10, b = 20
    //   c d        c = 30, d = 40
    //   e f        e = 50, f = 60
    private const byte A = 10, B = 20, C = 30, D = 40, E = 50, F = 60;
    private static readonly byte[] Source = [A, B, C, D, E, F];

    public static TheoryData<int, int, int, byte[]> Cases => new()
    {
        { 1, 2, 3, [A, B, C, D, E, F] },
        { 2, 2, 3, [B, A, D, C, F, E] },   // mirror left-right
        { 3, 2, 3, [F, E, D, C, B, A] },   // rotate 180
        { 4, 2, 3, [E, F, C, D, A, B] },   // mirror top-bottom
        { 5, 3, 2, [A, C, E, B, D, F] },   // transpose (main diagonal)
        { 6, 3, 2, [E, C, A, F, D, B] },   // rotate 90° clockwise: the left column becomes the top row, read bottom-up
        { 7, 3, 2, [F, D, B, E, C, A] },   // transverse (anti-diagonal)
        { 8, 3, 2, [B, D, F, A, C, E] },   // rotate 90° counter-clockwise: the right column becomes the top row
        { 0, 2, 3, [A, B, C, D, E, F] },   // not a valid orientation: untouched
        { 9, 2, 3, [A, B, C, D, E, F] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryOrientationMatchesPillow(int orientation, int width, int height, byte[] expected)
    {
        var png = Png(2, 3, 8, Grey, Source, ("eXIf", ExifOrientation((ushort)orientation)));
        var img = ImageLoader.Load(new MemoryStream(png), "o");
        Assert.Equal((width, height), (img.Width, img.Height));
        Assert.Equal(expected, GreyOf(img));
    }

    [Fact]
    public void XmpOrientationIsUsedWhenExifHasNone()
    {
        string xmp = "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>" +
            "<rdf:Description xmlns:tiff='http://ns.adobe.com/tiff/1.0/'><tiff:Orientation>8</tiff:Orientation>" +
            "</rdf:Description></rdf:RDF></x:xmpmeta>";
        var png = Png(2, 3, 8, Grey, Source, ("iTXt", ITxt("XML:com.adobe.xmp", xmp)));
        var img = ImageLoader.Load(new MemoryStream(png), "x");
        Assert.Equal((3, 2), (img.Width, img.Height));
        Assert.Equal(new byte[] { B, D, F, A, C, E }, GreyOf(img));

        // An EXIF orientation, even 1, takes precedence over the XMP one.
        var both = Png(2, 3, 8, Grey, Source, ("eXIf", ExifOrientation(1)), ("iTXt", ITxt("XML:com.adobe.xmp", xmp)));
        Assert.Equal(Source, GreyOf(ImageLoader.Load(new MemoryStream(both), "x")));
    }

    [Fact]
    public void JpegExifOrientationRotatesTheDecodedImage()
    {
        // 16 wide x 8 tall, left half black, right half white; orientation 6 turns it 90° clockwise into 8 x 16 with
        // the black half on top. JPEG is lossy, so only the halves are checked.
        using var src = new Image<Rgb24>(16, 8);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 16; x++)
                src[x, y] = x < 8 ? new Rgb24(0, 0, 0) : new Rgb24(255, 255, 255);
        src.Metadata.ExifProfile = new ExifProfile();
        src.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        var ms = new MemoryStream();
        src.SaveAsJpeg(ms);
        var img = ImageLoader.Load(new MemoryStream(ms.ToArray()), "j");
        Assert.Equal((8, 16), (img.Width, img.Height));
        Assert.True(img.Pixel(4, 2).R < 30, $"top half should be dark, got {img.Pixel(4, 2)}");
        Assert.True(img.Pixel(4, 13).R > 225, $"bottom half should be bright, got {img.Pixel(4, 13)}");
    }

    private static byte[] GreyOf(DecodedImage img)
    {
        var g = new byte[img.Width * img.Height];
        for (int i = 0; i < g.Length; i++)
        {
            Assert.True(img.Bgr[3 * i] == img.Bgr[3 * i + 1] && img.Bgr[3 * i] == img.Bgr[3 * i + 2]);
            g[i] = img.Bgr[3 * i];
        }
        return g;
    }
}
