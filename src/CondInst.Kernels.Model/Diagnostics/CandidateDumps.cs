namespace CondInst.Kernels.Model;

/// <summary>
/// Host-side reconstruction of the fixture's candidate and NMS stages (<c>cand_*</c>, <c>boxes_pre_nms</c>,
/// <c>nms_*</c>, <c>inst_*</c>, <c>det_scores</c>, <c>det_labels</c>) for stage dumps; runs only when a sink asks.
/// </summary>
internal static class CandidateDumps
{
    public static void Write(IBackend b, IStageSink sink, NetworkOutputs net, float[] probs, int[] level, int[] points, int[] labels,
        float[] boxes, float[] scores, Tensor parameters, int m, int[] keptRows, KeptDetections kept)
    {
        var ctrLevels = net.Levels.Select(l => Download(b, l.Centerness)).ToArray();
        var bboxLevels = net.Levels.Select(l => Download(b, l.BboxPred)).ToArray();
        var ctr = new float[m];
        var pts = new float[m * 2];
        var strides = new float[m];
        var bbox = new float[m * 4];
        for (int i = 0; i < m; i++)
        {
            int l = level[i], p = points[i], hw = net.Levels[l].BboxPred.Dim(2) * net.Levels[l].BboxPred.Dim(3);
            ctr[i] = 1f / (1f + MathF.Exp(-ctrLevels[l][p]));
            var info = BoxSelector.PointInfo(net, l, p);
            (pts[2 * i], pts[2 * i + 1], strides[i]) = (info[0], info[1], info[2]);
            for (int c = 0; c < 4; c++) bbox[4 * i + c] = bboxLevels[l][c * hw + p];
        }
        sink.Array("cand_level", NpyArray.FromLongs(level.Select(v => (long)v).ToArray(), m));
        sink.Array("cand_loc_index", NpyArray.FromLongs(points.Select(v => (long)v).ToArray(), m));
        sink.Array("cand_labels", NpyArray.FromLongs(labels.Select(v => (long)v).ToArray(), m));
        sink.Array("cand_cls_prob", NpyArray.FromFloats(probs, m));
        sink.Array("cand_centerness_prob", NpyArray.FromFloats(ctr, m));
        sink.Array("cand_points", NpyArray.FromFloats(pts, m, 2));
        sink.Array("cand_strides", NpyArray.FromFloats(strides, m));
        sink.Array("cand_bbox_pred", NpyArray.FromFloats(bbox, m, 4));
        sink.Array("cand_param_pred", NpyArray.FromFloats(BoxSelector.Read<float>(b, parameters, m * CondInstArchitecture.NumParams), m, CondInstArchitecture.NumParams));
        sink.Array("boxes_pre_nms", NpyArray.FromFloats(boxes, m, 4));

        // NMS sees only boxes with positive width and height; nms_keep indexes that filtered list.
        var valid = Enumerable.Range(0, m).Where(i => boxes[4 * i + 2] - boxes[4 * i] > 0f && boxes[4 * i + 3] - boxes[4 * i + 1] > 0f).ToArray();
        var position = new Dictionary<int, int>();
        for (int i = 0; i < valid.Length; i++) position[valid[i]] = i;
        sink.Array("nms_scores_in", NpyArray.FromFloats(valid.Select(i => scores[i]).ToArray(), valid.Length));
        sink.Array("nms_boxes_in", NpyArray.FromFloats(valid.SelectMany(i => boxes.AsSpan(4 * i, 4).ToArray()).ToArray(), valid.Length, 4));
        int k = kept.Count;
        sink.Array("nms_keep", NpyArray.FromLongs(keptRows.Select(r => (long)position[r]).ToArray(), k));
        var dets = new float[k * 5];
        for (int i = 0; i < k; i++)
        {
            kept.Boxes.AsSpan(4 * i, 4).CopyTo(dets.AsSpan(5 * i));
            dets[5 * i + 4] = kept.Scores[i];
        }
        sink.Array("nms_dets", NpyArray.FromFloats(dets, k, 5));
        sink.Tensor("inst_param_preds", kept.Parameters);
        sink.Array("inst_points", NpyArray.FromFloats(Enumerable.Range(0, k).SelectMany(i => new[] { kept.InstanceInfo[3 * i], kept.InstanceInfo[3 * i + 1] }).ToArray(), k, 2));
        sink.Array("inst_strides", NpyArray.FromFloats(Enumerable.Range(0, k).Select(i => kept.InstanceInfo[3 * i + 2]).ToArray(), k));
        sink.Array("inst_bboxes_resized", NpyArray.FromFloats(kept.Boxes, k, 4));
        sink.Array("det_scores", NpyArray.FromFloats(kept.Scores, k));
        sink.Array("det_labels", NpyArray.FromLongs(kept.Labels.Select(v => (long)v).ToArray(), k));
    }

    private static float[] Download(IBackend b, Tensor t)
    {
        var a = new float[t.Length];
        b.Download<float>(t, a);
        return a;
    }
}
