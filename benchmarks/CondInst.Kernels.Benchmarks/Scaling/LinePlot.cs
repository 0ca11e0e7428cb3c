using System.Globalization;
using CondInst.Kernels.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Benchmarks.Scaling;

/// <summary>One line of a chart: a name for the legend, a colour and its (x, y) points in x order.</summary>
public sealed record PlotSeries(string Name, Rgb24 Colour, IReadOnlyList<(double X, double Y)> Points);

/// <summary>A line chart: title, axis labels and series; y starts at 0, x spans the data (on a log scale with <paramref name="LogX"/>).</summary>
public sealed record PlotChart(string Title, string XLabel, string YLabel, IReadOnlyList<PlotSeries> Series, bool LogX = false);

/// <summary>
/// Draws line charts straight into ImageSharp pixels (no drawing library): axes, "nice" ticks with labels in the
/// project's 5x7 bitmap font, lines 2 px wide, square markers and a legend. Charts are laid out side by side.
/// </summary>
public static class LinePlot
{
    /// <summary>Colours for series, in order.</summary>
    public static readonly Rgb24[] Palette = [new(31, 119, 180), new(214, 39, 40), new(44, 160, 44), new(255, 127, 14), new(148, 103, 189), new(140, 86, 75)];

    private const int Scale = 2; // font pixel size
    private const int ChartW = 560, ChartH = 440, Left = 96, Right = 40, Top = 68, Bottom = 64;
    private static readonly Rgb24 Ink = new(30, 30, 30), Grid = new(225, 225, 225), Paper = new(255, 255, 255);

    /// <summary>Renders the charts side by side into a PNG at <paramref name="path"/>.</summary>
    public static void SavePng(string path, IReadOnlyList<PlotChart> charts)
    {
        using var img = Render(charts);
        img.SaveAsPng(path);
    }

    /// <summary>Renders the charts side by side.</summary>
    public static Image<Rgb24> Render(IReadOnlyList<PlotChart> charts)
    {
        if (charts.Count == 0) throw new ArgumentException("nothing to plot: no charts");
        var img = new Image<Rgb24>(ChartW * charts.Count, ChartH, Paper);
        for (int i = 0; i < charts.Count; i++) Draw(img, charts[i], i * ChartW);
        return img;
    }

    private static void Draw(Image<Rgb24> img, PlotChart chart, int x0)
    {
        int px0 = x0 + Left, px1 = x0 + ChartW - Right, py0 = Top, py1 = ChartH - Bottom; // plot area, y grows down
        var points = chart.Series.SelectMany(s => s.Points).ToList();
        if (chart.LogX && points.Any(p => p.X <= 0)) throw new ArgumentException($"chart '{chart.Title}': a log x axis needs positive x values");
        double Lx(double v) => chart.LogX ? Math.Log10(v) : v;
        double xMin = points.Count == 0 ? 0 : points.Min(p => Lx(p.X)), xMax = points.Count == 0 ? 1 : points.Max(p => Lx(p.X));
        if (xMax <= xMin) (xMin, xMax) = (xMin - 1, xMax + 1);
        var yTicks = NiceTicks(0, points.Count == 0 ? 1 : Math.Max(points.Max(p => p.Y), 1e-9));
        double yMax = yTicks[^1];
        int X(double v) => px0 + (int)Math.Round((Lx(v) - xMin) / (xMax - xMin) * (px1 - px0));
        int Y(double v) => py1 - (int)Math.Round(v / yMax * (py1 - py0));

        foreach (double t in yTicks)
        {
            HLine(img, px0, px1, Y(t), Grid);
            string label = Format(t);
            Text(img, px0 - 8 - TextWidth(label), Y(t) - 7, label, Ink);
        }
        foreach (double t in points.Select(p => p.X).Distinct())
        {
            VLine(img, X(t), py1, py1 + 6, Ink);
            string label = Format(t);
            Text(img, X(t) - TextWidth(label) / 2, py1 + 12, label, Ink);
        }
        HLine(img, px0, px1, py1, Ink);
        VLine(img, px0, py0, py1, Ink);
        Text(img, x0 + (ChartW - TextWidth(chart.Title)) / 2, 6, chart.Title, Ink);
        Text(img, px0 + (px1 - px0 - TextWidth(chart.XLabel)) / 2, ChartH - 26, chart.XLabel, Ink);
        Text(img, x0 + 8, Top - 26, chart.YLabel, Ink);

        // The legend is one row under the title, centred, so it never covers data.
        int legendW = chart.Series.Sum(s => 16 + TextWidth(s.Name) + 16) - 16, lx = x0 + (ChartW - legendW) / 2;
        foreach (var s in chart.Series)
        {
            for (int i = 1; i < s.Points.Count; i++)
                Line(img, X(s.Points[i - 1].X), Y(s.Points[i - 1].Y), X(s.Points[i].X), Y(s.Points[i].Y), s.Colour);
            foreach (var p in s.Points) Square(img, X(p.X), Y(p.Y), 4, s.Colour);
            Square(img, lx + 5, 26 + 6, 5, s.Colour);
            Text(img, lx + 16, 26, s.Name, Ink);
            lx += 16 + TextWidth(s.Name) + 16;
        }
    }

    /// <summary>Tick values 0, step, 2·step, … with step 1, 2 or 5 × 10^k, the last at or above <paramref name="max"/>.</summary>
    public static double[] NiceTicks(double min, double max, int target = 5)
    {
        double raw = (max - min) / target;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        int n = (int)Math.Ceiling((max - min) / step - 1e-9);
        return Enumerable.Range(0, n + 1).Select(i => min + i * step).ToArray();
    }

    private static string Format(double v) => v >= 100 || v == Math.Floor(v) ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);

    private static int TextWidth(string s) => BitmapFont5x7.Width(s) * Scale;

    private static void Text(Image<Rgb24> img, int x, int y, string s, Rgb24 c)
    {
        for (int i = 0; i < s.Length; i++)
            for (int gy = 0; gy < BitmapFont5x7.GlyphHeight; gy++)
                for (int gx = 0; gx < BitmapFont5x7.GlyphWidth; gx++)
                    if (BitmapFont5x7.IsSet(s[i], gx, gy))
                        Fill(img, x + (i * BitmapFont5x7.Advance + gx) * Scale, y + gy * Scale, Scale, Scale, c);
    }

    private static void Square(Image<Rgb24> img, int cx, int cy, int half, Rgb24 c) => Fill(img, cx - half, cy - half, 2 * half + 1, 2 * half + 1, c);

    private static void HLine(Image<Rgb24> img, int x0, int x1, int y, Rgb24 c) => Fill(img, x0, y, x1 - x0 + 1, 1, c);

    private static void VLine(Image<Rgb24> img, int x, int y0, int y1, Rgb24 c) => Fill(img, x, Math.Min(y0, y1), 1, Math.Abs(y1 - y0) + 1, c);

    // Bresenham's line, each step stamped 2x2 so lines read at 2 px.
    private static void Line(Image<Rgb24> img, int x0, int y0, int x1, int y1, Rgb24 c)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
        while (true)
        {
            Fill(img, x0, y0, 2, 2, c);
            if (x0 == x1 && y0 == y1) return;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }

    private static void Fill(Image<Rgb24> img, int x, int y, int w, int h, Rgb24 c)
    {
        for (int j = Math.Max(y, 0); j < Math.Min(y + h, img.Height); j++)
            for (int i = Math.Max(x, 0); i < Math.Min(x + w, img.Width); i++)
                img[i, j] = c;
    }
}
