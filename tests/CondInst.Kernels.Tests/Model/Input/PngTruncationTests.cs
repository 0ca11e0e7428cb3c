using CondInst.Kernels.Model;

namespace CondInst.Kernels.Tests.Model.Input;

/// <summary>A multi-IDAT PNG cut short is refused (ImageSharp alone would decode it with blank rows).</summary>
public sealed class PngTruncationTests
{
    private static readonly string Input = Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "input.png");

    // The fixture PNG holds IHDR at 8, IDAT chunks at 33, 65581, 131129, 196677 (65536, 65536, 65536, 24081 bytes), IEND at 220770.
    [Theory]
    [InlineData(131129)] // exactly at a chunk boundary: every chunk present is whole
    [InlineData(150000)] // inside an IDAT chunk
    [InlineData(220770)] // only IEND missing: all image data is there, so it loads (as in Pillow)
    public void CutFilesAreRefusedUnlessOnlyIendIsMissing(int cut)
    {
        string path = Path.Combine(Path.GetTempPath(), $"cut-{cut}-{Environment.ProcessId}.png");
        File.WriteAllBytes(path, File.ReadAllBytes(Input)[..cut]);
        try
        {
            if (cut == 220770)
            {
                var img = ImageLoader.Load(path);
                Assert.Equal((451, 300), (img.Width, img.Height));
                Assert.Equal(ImageLoader.Load(Input).Bgr, img.Bgr);
            }
            else
            {
                var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
                Assert.Contains("truncated", e.Message);
                Assert.Contains(Path.GetFileName(path), e.Message);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
