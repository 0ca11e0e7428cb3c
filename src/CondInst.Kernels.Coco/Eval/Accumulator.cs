namespace CondInst.Kernels.Coco;

/// <summary>
/// Precision/recall over all images of one category, area range and max-detections setting (pycocotools'
/// <c>accumulate</c>): detections of all images ranked by score (stable: image order, then rank within the image),
/// cumulative true/false positives per IoU threshold, precision made non-increasing from the right and read at the
/// first rank whose recall reaches each recall point (0 where recall never gets there).
/// </summary>
internal static class Accumulator
{
    /// <summary>numpy's <c>np.spacing(1)</c> (2^-52), which pycocotools adds to the precision's denominator.</summary>
    private const double Spacing1 = 2.220446049250313e-16;

    /// <summary>
    /// Fills precision[t, r] (stride R per t) and recall[t]; returns false, leaving them untouched (−1), when
    /// the setting has no ground truth that is not ignored.
    /// </summary>
    public static bool Run(IReadOnlyList<ImageEvaluation> images, int maxDet, Span<double> precision, Span<double> recall)
    {
        var thresholds = CocoEvalParams.RecallThresholds;
        int t0 = CocoEvalParams.IouThresholds.Count, r0 = thresholds.Count;
        long positives = 0;
        int total = 0;
        foreach (var e in images)
        {
            foreach (bool ig in e.GtIgnore) if (!ig) positives++;
            total += Math.Min(maxDet, e.DtScores.Length);
        }
        if (positives == 0) return false;

        // (image, detection) pairs in concatenation order, then a stable sort by descending score.
        var owner = new int[total];
        var rank = new int[total];
        var scores = new double[total];
        int k = 0;
        for (int i = 0; i < images.Count; i++)
            for (int d = 0; d < Math.Min(maxDet, images[i].DtScores.Length); d++)
            {
                owner[k] = i;
                rank[k] = d;
                scores[k] = images[i].DtScores[d];
                k++;
            }
        var order = new int[total];
        for (int i = 0; i < total; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int c = scores[b].CompareTo(scores[a]);
            return c != 0 ? c : a.CompareTo(b);
        });

        var rc = new double[total];
        var pr = new double[total];
        for (int t = 0; t < t0; t++)
        {
            double tp = 0, fp = 0;
            for (int j = 0; j < total; j++)
            {
                var e = images[owner[order[j]]];
                int at = t * e.DtScores.Length + rank[order[j]];
                if (!e.DtIgnore[at])
                {
                    if (e.DtMatches[at] != 0) tp++;
                    else fp++;
                }
                rc[j] = tp / positives;
                pr[j] = tp / (fp + tp + Spacing1);
            }
            recall[t] = total > 0 ? rc[total - 1] : 0;
            for (int j = total - 1; j > 0; j--)
                if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
            var row = precision.Slice(t * r0, r0);
            row.Clear();
            for (int r = 0; r < r0; r++)
            {
                int at = LowerBound(rc, total, thresholds[r]);
                if (at >= total) break;
                row[r] = pr[at];
            }
        }
        return true;
    }

    // numpy's searchsorted(side='left'): the first index whose value is >= x.
    private static int LowerBound(double[] values, int count, double x)
    {
        int lo = 0, hi = count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (values[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
