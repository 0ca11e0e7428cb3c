namespace CondInst.Kernels.Coco;

/// <summary>Which region a detection is scored by.</summary>
public enum CocoIouType
{
    /// <summary>Boxes ([x, y, w, h]).</summary>
    Bbox,

    /// <summary>Masks (run lengths; polygons rasterised).</summary>
    Segm,
}

/// <summary>
/// COCO's standard evaluation settings (pycocotools' <c>Params.setDetParams</c>), stated once here. The thresholds
/// are computed as numpy's <c>linspace</c> computes them (i·step + start, the last one exactly the stop), so every
/// comparison with a recall or an IoU sees the same doubles as pycocotools.
/// </summary>
public static class CocoEvalParams
{
    /// <summary>IoU thresholds .50:.05:.95 (T = 10).</summary>
    public static IReadOnlyList<double> IouThresholds { get; } = Linspace(0.5, 0.95, 10);

    /// <summary>Recall points 0:.01:1 (R = 101).</summary>
    public static IReadOnlyList<double> RecallThresholds { get; } = Linspace(0.0, 1.0, 101);

    /// <summary>Detections per image considered (M = 3), ascending; the last is the cap applied before matching.</summary>
    public static IReadOnlyList<int> MaxDetections { get; } = [1, 10, 100];

    /// <summary>Area ranges (A = 4), both ends inclusive: all, small (&lt; 32²), medium (32²..96²), large (&gt; 96²).</summary>
    public static IReadOnlyList<(double Min, double Max)> AreaRanges { get; } =
        [(0, 1e10), (0, 32 * 32), (32 * 32, 96 * 96), (96 * 96, 1e10)];

    /// <summary>Names of <see cref="AreaRanges"/>.</summary>
    public static IReadOnlyList<string> AreaLabels { get; } = ["all", "small", "medium", "large"];

    private static double[] Linspace(double start, double stop, int num)
    {
        var y = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[^1] = stop;
        return y;
    }
}
