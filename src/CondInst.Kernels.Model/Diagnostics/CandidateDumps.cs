namespace CondInst.Kernels.Model;

/// <summary>
/// Host-side reconstruction of the fixture's candidate and NMS stages (<c>cand_*</c>, <c>boxes_pre_nms</c>,
/// <c>nms_*</c>, <c>inst_*</c>, <c>det_scores</c>, <c>det_labels</c>) for stage dumps; every array is made only when an observer keeps it.
/// </summary>
internal static class CandidateDumps
{
    /// <summary>Reports the candidate and NMS stages of <paramref name="kept"/> (nothing when it has no candidates).</summary>
    public static void Report(IStageObserver o, IBackend b, NetworkOutputs net, KeptDetections kept)
    {
        if (kept.Candidates is not { } c) return;
        int m = c.Count;
        // The per-candidate values the device does not keep are recomputed from the head outputs, downloaded once.
        var recomputed = new Lazy<(float[] Cls, float[] Ctr, float[] Pts, float[] Strides, float[] Bbox)>(() => Recompute(b, net, c));
        o.Array("cand_level", () => NpyArray.FromLongs(c.Level.Select(v => (long)v).ToArray(), m));
        o.Array("cand_loc_index", () => NpyArray.FromLongs(c.Point.Select(v => (long)v).ToArray(), m));
        o.Array("cand_labels", () => NpyArray.FromLongs(c.Labels.Select(v => (long)v).ToArray(), m));
        o.Array("cand_cls_prob", () => NpyArray.FromFloats(recomputed.Value.Cls, m));
        o.Array("cand_centerness_prob", () => NpyArray.FromFloats(recomputed.Value.Ctr, m));
        o.Array("cand_points", () => NpyArray.FromFloats(recomputed.Value.Pts, m, 2));
        o.Array("cand_strides", () => NpyArray.FromFloats(recomputed.Value.Strides, m));
        o.Array("cand_bbox_pred", () => NpyArray.FromFloats(recomputed.Value.Bbox, m, 4));
        o.Array("cand_param_pred", () => NpyArray.FromFloats(BoxSelector.Read<float>(b, c.Parameters, m * CondInstArchitecture.NumParams), m, CondInstArchitecture.NumParams));
        o.Array("boxes_pre_nms", () => NpyArray.FromFloats(c.Boxes, m, 4));

        // NMS sees only boxes with positive width and height; nms_keep indexes that filtered list.
        var boxes = c.Boxes;
        var valid = Enumerable.Range(0, m).Where(i => boxes[4 * i + 2] - boxes[4 * i] > 0f && boxes[4 * i + 3] - boxes[4 * i + 1] > 0f).ToArray();
        var position = new Dictionary<int, int>();
        for (int i = 0; i < valid.Length; i++) position[valid[i]] = i;
        o.Array("nms_scores_in", () => NpyArray.FromFloats(valid.Select(i => c.Scores[i]).ToArray(), valid.Length));
        o.Array("nms_boxes_in", () => NpyArray.FromFloats(valid.SelectMany(i => boxes.AsSpan(4 * i, 4).ToArray()).ToArray(), valid.Length, 4));
        int k = kept.Count;
        o.Array("nms_keep", () => NpyArray.FromLongs(c.KeptRows.Select(r => (long)position[r]).ToArray(), k));
        o.Array("nms_dets", () =>
        {
            var dets = new float[k * 5];
            for (int i = 0; i < k; i++)
            {
                kept.Boxes.AsSpan(4 * i, 4).CopyTo(dets.AsSpan(5 * i));
                dets[5 * i + 4] = kept.Scores[i];
            }
            return NpyArray.FromFloats(dets, k, 5);
        });
        o.Tensor("inst_param_preds", kept.Parameters);
        o.Array("inst_points", () => NpyArray.FromFloats(Enumerable.Range(0, k).SelectMany(i => new[] { kept.InstanceInfo[3 * i], kept.InstanceInfo[3 * i + 1] }).ToArray(), k, 2));
        o.Array("inst_strides", () => NpyArray.FromFloats(Enumerable.Range(0, k).Select(i => kept.InstanceInfo[3 * i + 2]).ToArray(), k));
        o.Array("inst_bboxes_resized", () => NpyArray.FromFloats(kept.Boxes, k, 4));
        o.Array("det_scores", () => NpyArray.FromFloats(kept.Scores, k));
        o.Array("det_labels", () => NpyArray.FromLongs(kept.Labels.Select(v => (long)v).ToArray(), k));
    }

    // Sigmoids on the host in float32 (the device's own values are not kept): equal to them up to rounding.
    private static (float[] Cls, float[] Ctr, float[] Pts, float[] Strides, float[] Bbox) Recompute(IBackend b, NetworkOutputs net, Candidates c)
    {
        int m = c.Count;
        var clsLevels = net.Levels.Select(l => Download(b, l.ClsScore)).ToArray();
        var ctrLevels = net.Levels.Select(l => Download(b, l.Centerness)).ToArray();
        var bboxLevels = net.Levels.Select(l => Download(b, l.BboxPred)).ToArray();
        var cls = new float[m];
        var ctr = new float[m];
        var pts = new float[m * 2];
        var strides = new float[m];
        var bbox = new float[m * 4];
        for (int i = 0; i < m; i++)
        {
            int l = c.Level[i], p = c.Point[i], hw = net.Levels[l].BboxPred.Dim(2) * net.Levels[l].BboxPred.Dim(3);
            cls[i] = Sigmoid(clsLevels[l][c.Labels[i] * hw + p]);
            ctr[i] = Sigmoid(ctrLevels[l][p]);
            var info = BoxSelector.PointInfo(net, l, p);
            (pts[2 * i], pts[2 * i + 1], strides[i]) = (info[0], info[1], info[2]);
            for (int ch = 0; ch < 4; ch++) bbox[4 * i + ch] = bboxLevels[l][ch * hw + p];
        }
        return (cls, ctr, pts, strides, bbox);
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private static float[] Download(IBackend b, Tensor t)
    {
        var a = new float[t.Length];
        b.Download<float>(t, a);
        return a;
    }
}
