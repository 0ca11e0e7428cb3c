namespace CondInst.Kernels.Coco;

/// <summary>
/// The matches of one image and category in one area range (pycocotools' <c>evaluateImg</c> result): detections
/// best score first (at most the last max-detections), ground truth with ignored ones last.
/// </summary>
internal sealed class ImageEvaluation
{
    public required double[] DtScores { get; init; }

    /// <summary>[t·D + d]: the matched ground truth's id, 0 for none (so a ground truth whose id is 0 counts as no match, as in pycocotools).</summary>
    public required long[] DtMatches { get; init; }

    /// <summary>[t·D + d]: matched to an ignored ground truth, or unmatched and outside the area range.</summary>
    public required bool[] DtIgnore { get; init; }

    public required bool[] GtIgnore { get; init; }

    /// <summary>
    /// Greedy matching at every IoU threshold: each detection, best first, takes the unmatched ground truth with
    /// the highest IoU ≥ the threshold, preferring ground truth that is not ignored; crowd regions can take many.
    /// </summary>
    /// <param name="gt">Ground truth of the image and category, file order.</param>
    /// <param name="dt">Detections of the image and category, best first, at most the last max-detections.</param>
    /// <param name="range">The area range.</param>
    /// <param name="ious">[d·G + g] for the detections in <paramref name="dt"/>'s order and ground truth in file order (empty when either is empty).</param>
    public static ImageEvaluation Match(IReadOnlyList<CocoAnnotation> gt, IReadOnlyList<CocoDetection> dt, double[] ious, (double Min, double Max) range)
    {
        int g0 = gt.Count, d0 = dt.Count;
        var thresholds = CocoEvalParams.IouThresholds;
        int t0 = thresholds.Count;

        // Ignored ground truth last, keeping file order otherwise (a stable sort on the flag).
        var gIgnore = new bool[g0];
        for (int g = 0; g < g0; g++) gIgnore[g] = gt[g].IsCrowd || gt[g].Area < range.Min || gt[g].Area > range.Max;
        var order = new int[g0];
        int n = 0;
        for (int g = 0; g < g0; g++) if (!gIgnore[g]) order[n++] = g;
        for (int g = 0; g < g0; g++) if (gIgnore[g]) order[n++] = g;
        var gtIgnore = new bool[g0];
        for (int i = 0; i < g0; i++) gtIgnore[i] = gIgnore[order[i]];

        var dtMatches = new long[t0 * d0];
        var dtIgnore = new bool[t0 * d0];
        if (ious.Length > 0)
        {
            var gtMatched = new bool[g0];
            for (int t = 0; t < t0; t++)
            {
                Array.Clear(gtMatched);
                for (int d = 0; d < d0; d++)
                {
                    double best = Math.Min(thresholds[t], 1 - 1e-10);
                    int m = -1;
                    for (int i = 0; i < g0; i++)
                    {
                        int g = order[i];
                        if (gtMatched[i] && !gt[g].IsCrowd) continue;
                        // Already holding a regular match: ignored ground truth (all after it) cannot beat it.
                        if (m > -1 && !gtIgnore[m] && gtIgnore[i]) break;
                        double iou = ious[d * g0 + g];
                        if (iou < best) continue;
                        best = iou;
                        m = i;
                    }
                    if (m == -1) continue;
                    dtIgnore[t * d0 + d] = gtIgnore[m];
                    dtMatches[t * d0 + d] = gt[order[m]].Id;
                    gtMatched[m] = true;
                }
            }
        }
        // Unmatched detections outside the range are not false positives.
        for (int d = 0; d < d0; d++)
        {
            bool outside = dt[d].Area < range.Min || dt[d].Area > range.Max;
            if (!outside) continue;
            for (int t = 0; t < t0; t++)
                if (dtMatches[t * d0 + d] == 0) dtIgnore[t * d0 + d] = true;
        }
        var scores = new double[d0];
        for (int d = 0; d < d0; d++) scores[d] = dt[d].Score;
        return new ImageEvaluation { DtScores = scores, DtMatches = dtMatches, DtIgnore = dtIgnore, GtIgnore = gtIgnore };
    }
}
