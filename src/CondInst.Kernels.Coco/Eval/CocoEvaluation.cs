using System.Globalization;
using System.Runtime.InteropServices;

namespace CondInst.Kernels.Coco;

/// <summary>Average precision of one category (area all, 100 detections per image); −1 where it has no ground truth.</summary>
/// <param name="Category">The category.</param>
/// <param name="Ap">AP over IoU .50:.95.</param>
/// <param name="Ap50">AP at IoU .50.</param>
/// <param name="Ap75">AP at IoU .75.</param>
public sealed record CocoClassAp(CocoCategory Category, double Ap, double Ap50, double Ap75);

/// <summary>
/// The accumulated result of <see cref="CocoEvaluator.Evaluate"/>: precision [T, R, K, A, M] and recall
/// [T, K, A, M] as pycocotools' <c>eval['precision']</c>/<c>eval['recall']</c> (−1 where a setting has no ground
/// truth), the 12 summary numbers and the per-category AP.
/// </summary>
public sealed class CocoEvaluation
{
    private readonly double[] _precision;
    private readonly double[] _recall;
    private readonly Layout _layout;

    internal CocoEvaluation(CocoIouType type, IReadOnlyList<CocoCategory> categories, double[] precision, double[] recall, int skippedDetections)
    {
        IouType = type;
        Categories = categories;
        _precision = precision;
        _recall = recall;
        _layout = new Layout(categories.Count);
        SkippedDetections = skippedDetections;
        Stats = [.. Summaries.Select(s => Mean(s))];
        PerClass = [.. categories.Select((c, k) => new CocoClassAp(c, ClassMean(k, null), ClassMean(k, 0.5), ClassMean(k, 0.75)))];
    }

    /// <summary>What was scored.</summary>
    public CocoIouType IouType { get; }

    /// <summary>The categories, by ascending id (the K axis).</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    /// <summary>Detections left out because the annotation file has no category of their id.</summary>
    public int SkippedDetections { get; }

    /// <summary>
    /// The 12 numbers of pycocotools' <c>stats</c>: AP, AP50, AP75, AP small, medium, large; AR at 1, 10, 100
    /// detections; AR small, medium, large. −1 where undefined.
    /// </summary>
    public IReadOnlyList<double> Stats { get; }

    /// <summary>AP per category, in <see cref="Categories"/> order.</summary>
    public IReadOnlyList<CocoClassAp> PerClass { get; }

    /// <summary>precision[t, r, k, a, m].</summary>
    public double Precision(int t, int r, int k, int a, int m) => _precision[_layout.PrecisionIndex(t, r, k, a, m)];

    /// <summary>recall[t, k, a, m].</summary>
    public double Recall(int t, int k, int a, int m) => _recall[_layout.RecallIndex(t, k, a, m)];

    /// <summary>The 12 summary lines in pycocotools' exact layout.</summary>
    public IReadOnlyList<string> SummaryLines()
    {
        var lines = new List<string>(Summaries.Length);
        for (int i = 0; i < Summaries.Length; i++)
        {
            var s = Summaries[i];
            var iou = CocoEvalParams.IouThresholds;
            string iouText = s.Iou is double v ? F2(v) : $"{F2(iou[0])}:{F2(iou[^1])}";
            string title = s.Precision ? "Average Precision" : "Average Recall";
            string kind = s.Precision ? "(AP)" : "(AR)";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $" {title,-18} {kind} @[ IoU={iouText,-9} | area={s.Area,6} | maxDets={s.MaxDets,3} ] = {Stats[i]:F3}"));
        }
        return lines;
    }

    private static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

    private readonly record struct Summary(bool Precision, double? Iou, string Area, int MaxDets);

    private static readonly Summary[] Summaries =
    [
        new(true, null, "all", 100), new(true, 0.5, "all", 100), new(true, 0.75, "all", 100),
        new(true, null, "small", 100), new(true, null, "medium", 100), new(true, null, "large", 100),
        new(false, null, "all", 1), new(false, null, "all", 10), new(false, null, "all", 100),
        new(false, null, "small", 100), new(false, null, "medium", 100), new(false, null, "large", 100),
    ];

    // The mean of the defined (> −1) entries of the selected slice in numpy's C order (t, r, k for precision; t, k
    // for recall) and summation, −1 when there are none (pycocotools' _summarize).
    private double Mean(Summary s)
    {
        int a = IndexOf(CocoEvalParams.AreaLabels, s.Area), m = IndexOf(CocoEvalParams.MaxDetections, s.MaxDets);
        var values = new List<double>();
        foreach (int t in Thresholds(s.Iou))
        {
            if (s.Precision)
            {
                for (int r = 0; r < CocoEvalParams.RecallThresholds.Count; r++)
                    for (int k = 0; k < Categories.Count; k++) Add(values, Precision(t, r, k, a, m));
            }
            else
            {
                for (int k = 0; k < Categories.Count; k++) Add(values, Recall(t, k, a, m));
            }
        }
        return values.Count == 0 ? -1 : NumpySum.Sum(CollectionsMarshal.AsSpan(values)) / values.Count;
    }

    private double ClassMean(int k, double? iou)
    {
        var values = new List<double>();
        foreach (int t in Thresholds(iou))
            for (int r = 0; r < CocoEvalParams.RecallThresholds.Count; r++)
                Add(values, Precision(t, r, k, 0, CocoEvalParams.MaxDetections.Count - 1));
        return values.Count == 0 ? -1 : NumpySum.Sum(CollectionsMarshal.AsSpan(values)) / values.Count;
    }

    private static void Add(List<double> values, double v)
    {
        if (v > -1) values.Add(v);
    }

    // All thresholds, or those equal to iou (pycocotools selects with ==, so .75 must be one of them exactly).
    private static IEnumerable<int> Thresholds(double? iou)
    {
        var all = CocoEvalParams.IouThresholds;
        for (int t = 0; t < all.Count; t++)
            if (iou is not double v || all[t] == v) yield return t;
    }

    private static int IndexOf<T>(IReadOnlyList<T> list, T value)
    {
        for (int i = 0; i < list.Count; i++)
            if (EqualityComparer<T>.Default.Equals(list[i], value)) return i;
        throw new ArgumentException($"{value} is not a standard setting");
    }

    /// <summary>Flat indexing of the [T, R, K, A, M] and [T, K, A, M] arrays.</summary>
    internal readonly struct Layout(int categories)
    {
        private static int R => CocoEvalParams.RecallThresholds.Count;
        private static int A => CocoEvalParams.AreaRanges.Count;
        private static int M => CocoEvalParams.MaxDetections.Count;

        public int PrecisionIndex(int t, int r, int k, int a, int m) => (((t * R + r) * categories + k) * A + a) * M + m;

        public int RecallIndex(int t, int k, int a, int m) => ((t * categories + k) * A + a) * M + m;
    }
}
