namespace CondInst.Kernels.Coco;

/// <summary>
/// COCO detection evaluation equal to pycocotools' <c>COCOeval</c> (evaluate, accumulate, summarize) for
/// <c>bbox</c> and <c>segm</c> with the standard settings of <see cref="CocoEvalParams"/>.
/// <para>Per image and category: detections ranked by score (stable), at most the last max-detections kept; IoU
/// against every ground truth (against a crowd region the union is the detection's area); greedy matching per
/// IoU threshold (<see cref="ImageEvaluation"/>); ground truth is ignored when it is a crowd or its file
/// <c>area</c> is outside the range, and so are detections matched to it or unmatched outside the range. Then
/// precision at 101 recall points per category (<see cref="Accumulator"/>); −1 marks settings without ground
/// truth. Detections of categories the annotation file does not list are left out, as in pycocotools.</para>
/// </summary>
public static class CocoEvaluator
{
    /// <summary>Scores <paramref name="detections"/> against <paramref name="dataset"/>.</summary>
    /// <exception cref="CocoFormatException">An annotation lacks the region the evaluation needs (bbox or segmentation).</exception>
    public static CocoEvaluation Evaluate(CocoDataset dataset, IReadOnlyList<CocoDetection> detections, CocoIouType type)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(detections);
        var imageIds = dataset.Images.Select(i => i.Id).Order().ToArray();
        var catIds = dataset.Categories.Select(c => c.Id).Order().ToArray();
        var imageIndex = new Dictionary<long, int>(imageIds.Length);
        for (int i = 0; i < imageIds.Length; i++) imageIndex[imageIds[i]] = i;
        var catIndex = new Dictionary<long, int>(catIds.Length);
        for (int k = 0; k < catIds.Length; k++) catIndex[catIds[k]] = k;

        // Ground truth and detections per (category, image), in file order.
        var gts = new Dictionary<(int K, int I), List<CocoAnnotation>>();
        foreach (var a in dataset.Annotations)
        {
            CheckRegion(dataset, a, type);
            var key = (catIndex[a.CategoryId], imageIndex[a.ImageId]);
            if (!gts.TryGetValue(key, out var list)) gts[key] = list = [];
            list.Add(a);
        }
        var dts = new Dictionary<(int K, int I), List<CocoDetection>>();
        int skipped = 0;
        foreach (var d in detections)
        {
            if (!catIndex.TryGetValue(d.CategoryId, out int k)) { skipped++; continue; }
            if (!imageIndex.TryGetValue(d.ImageId, out int i))
                throw new CocoFormatException($"results: entry {d.Index}: image_id {d.ImageId} is not an image id of {dataset.Source}");
            if (!dts.TryGetValue((k, i), out var list)) dts[(k, i)] = list = [];
            list.Add(d);
        }

        int maxDet = CocoEvalParams.MaxDetections[^1];
        var ranges = CocoEvalParams.AreaRanges;
        var perCell = new List<ImageEvaluation>[catIds.Length, ranges.Count];
        for (int k = 0; k < catIds.Length; k++)
            for (int a = 0; a < ranges.Count; a++) perCell[k, a] = [];
        var cells = gts.Keys.Union(dts.Keys).OrderBy(c => c.K).ThenBy(c => c.I).ToArray();
        foreach (var (k, i) in cells)
        {
            var gt = gts.GetValueOrDefault((k, i)) ?? [];
            var dt = Ranked(dts.GetValueOrDefault((k, i)), maxDet);
            var image = dataset.FindImage(imageIds[i])!;
            double[] ious = Ious(gt, dt, type, image);
            for (int a = 0; a < ranges.Count; a++)
                perCell[k, a].Add(ImageEvaluation.Match(gt, dt, ious, ranges[a]));
        }

        int t0 = CocoEvalParams.IouThresholds.Count, r0 = CocoEvalParams.RecallThresholds.Count;
        int a0 = ranges.Count, m0 = CocoEvalParams.MaxDetections.Count;
        var precision = new double[t0 * r0 * catIds.Length * a0 * m0];
        var recall = new double[t0 * catIds.Length * a0 * m0];
        Array.Fill(precision, -1);
        Array.Fill(recall, -1);
        var p = new double[t0 * r0];
        var r = new double[t0];
        for (int k = 0; k < catIds.Length; k++)
            for (int a = 0; a < a0; a++)
                for (int m = 0; m < m0; m++)
                {
                    if (!Accumulator.Run(perCell[k, a], CocoEvalParams.MaxDetections[m], p, r)) continue;
                    var layout = new CocoEvaluation.Layout(catIds.Length);
                    for (int t = 0; t < t0; t++)
                    {
                        recall[layout.RecallIndex(t, k, a, m)] = r[t];
                        for (int q = 0; q < r0; q++) precision[layout.PrecisionIndex(t, q, k, a, m)] = p[t * r0 + q];
                    }
                }
        var names = dataset.Categories.ToDictionary(c => c.Id, c => c.Name);
        return new CocoEvaluation(type, catIds.Select(c => new CocoCategory(c, names[c])).ToArray(), precision, recall, skipped);
    }

    private static void CheckRegion(CocoDataset dataset, CocoAnnotation a, CocoIouType type)
    {
        if (type == CocoIouType.Bbox && a.Box is null)
            throw new CocoFormatException($"{dataset.Source}: annotation {a.Id}: bbox missing (needed to score boxes)");
        if (type == CocoIouType.Segm && a.Segmentation is null)
            throw new CocoFormatException($"{dataset.Source}: annotation {a.Id}: segmentation missing or empty (needed to score masks)");
    }

    // Best score first, ties in file order (numpy's stable mergesort on -score), at most maxDet.
    private static List<CocoDetection> Ranked(List<CocoDetection>? dt, int maxDet)
    {
        if (dt is null) return [];
        var ranked = dt.OrderByDescending(d => d.Score).ToList(); // LINQ's OrderBy is stable
        if (ranked.Count > maxDet) ranked.RemoveRange(maxDet, ranked.Count - maxDet);
        return ranked;
    }

    // [d·G + g]; empty when either side is empty (pycocotools' iou returns [] then).
    private static double[] Ious(List<CocoAnnotation> gt, List<CocoDetection> dt, CocoIouType type, CocoImage image)
    {
        if (gt.Count == 0 || dt.Count == 0) return [];
        var crowd = gt.Select(g => g.IsCrowd).ToArray();
        double[] byGt = type == CocoIouType.Bbox
            ? RleOps.BoxIou(dt.Select(d => d.Box).ToArray(), gt.Select(g => g.Box!).ToArray(), crowd)
            : RleOps.MaskIou(
                dt.Select(d => d.Segmentation.ToRle(image.Height, image.Width)).ToArray(),
                gt.Select(g => g.Segmentation!.ToRle(image.Height, image.Width)).ToArray(),
                crowd);
        // [g·D + d] → [d·G + g]
        var ious = new double[byGt.Length];
        for (int g = 0; g < gt.Count; g++)
            for (int d = 0; d < dt.Count; d++) ious[d * gt.Count + g] = byGt[g * dt.Count + d];
        return ious;
    }
}
