using CondInst.Kernels.Benchmarks.Scaling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Tests.Benchmarks;

/// <summary>The scaling plot's own drawing code.</summary>
public sealed class LinePlotTests
{
    [Theory]
    [InlineData(7300, new double[] { 0, 2000, 4000, 6000, 8000 })]
    [InlineData(1, new double[] { 0, 0.2, 0.4, 0.6, 0.8, 1 })]
    [InlineData(95, new double[] { 0, 20, 40, 60, 80, 100 })]
    public void TicksAreNiceAndCoverTheMaximum(double max, double[] expected)
    {
        var ticks = LinePlot.NiceTicks(0, max);
        Assert.Equal(expected.Length, ticks.Length);
        for (int i = 0; i < ticks.Length; i++) Assert.Equal(expected[i], ticks[i], 9);
    }

    [Fact]
    public void ChartsAreDrawnSideBySideWithLinesAxesAndLabels()
    {
        var red = new Rgb24(214, 39, 40);
        var charts = new[]
        {
            new PlotChart("A", "X", "MS", [new PlotSeries("cpu", red, [(512, 100), (800, 400), (1333, 1000)])]),
            new PlotChart("B", "N", "MS", [new PlotSeries("ort", LinePlot.Palette[0], [(1, 5), (10, 50), (100, 500)])], LogX: true),
        };
        string path = Path.Combine(Path.GetTempPath(), $"condinst-plot-{Environment.ProcessId}.png");
        try
        {
            LinePlot.SavePng(path, charts);
            using var img = Image.Load<Rgb24>(path);
            Assert.Equal(2 * 560, img.Width);
            Assert.Equal(440, img.Height);
            int Count(Rgb24 c, int x0, int x1)
            {
                int n = 0;
                for (int y = 0; y < img.Height; y++)
                    for (int x = x0; x < x1; x++)
                        if (img[x, y].Equals(c)) n++;
                return n;
            }
            // The red series is in the left chart only, the blue one in the right chart only; lines, markers and legend.
            Assert.True(Count(red, 0, 560) > 500, "left chart lacks its line");
            Assert.Equal(0, Count(red, 560, 1120));
            Assert.True(Count(LinePlot.Palette[0], 560, 1120) > 500, "right chart lacks its line");
            // Axes and text in ink; the y axis is a full-height dark column at x = 96.
            var ink = new Rgb24(30, 30, 30);
            Assert.True(Count(ink, 0, 560) > 1000);
            for (int y = 68; y <= 300; y++) Assert.Equal(ink, img[96, y]); // below, the first marker sits on the axis
            // The highest point (1333, 1000) sits on the top tick (1000) at the right end of the plot area.
            Assert.Equal(red, img[560 - 40, 68]);
            // On the log axis 10 sits half way between 1 and 100: its marker (y for 50 of 500) is centred there.
            int mid = 560 + 96 + (560 - 96 - 40) / 2, y50 = 440 - 64 - (int)Math.Round(50.0 / 500 * (440 - 64 - 68));
            Assert.Equal(LinePlot.Palette[0], img[mid, y50]);
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("CONDINST_KEEP_PLOT") is null) File.Delete(path);
        }
    }
}
