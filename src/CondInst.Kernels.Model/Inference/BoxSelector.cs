using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Model;

/// <summary>The detections kept by NMS, in NMS order, with what the mask head needs (on the device).</summary>
internal sealed class KeptDetections : IDisposable
{
    public required int Count { get; init; }

    /// <summary>Boxes x1, y1, x2, y2 in resized-image pixels (k·4).</summary>
    public required float[] Boxes { get; init; }

    public required float[] Scores { get; init; }

    public required int[] Labels { get; init; }

    /// <summary>Device [k, 169] controller outputs.</summary>
    public required Tensor Parameters { get; init; }

    /// <summary>Device [k, 3] (point x, point y, stride).</summary>
    public required Tensor Instances { get; init; }

    /// <summary>Host copy of <see cref="Instances"/>.</summary>
    public required float[] InstanceInfo { get; init; }

    public void Dispose()
    {
        Parameters.Dispose();
        Instances.Dispose();
    }
}

/// <summary>
/// Box post-processing (spec section 5) on the device: per level sigmoid + score filter + top-k
/// (<see cref="IBackend.TopKScores"/>), decoding, parameter gathering, then class-aware NMS and max_per_img.
/// The host reads back only counts, the kept rows' boxes/scores/labels and point indices (a few KB): the number
/// of detections decides every later shape, so one small read is unavoidable.
/// </summary>
internal static class BoxSelector
{
    public static KeptDetections Select(IBackend b, NetworkOutputs net, ImageGeometry g, TestSettings s, IStageSink? sink)
    {
        int classes = net.Levels[0].ClsScore.Dim(1);
        var points = net.Levels.Select(l => l.ClsScore.Dim(2) * l.ClsScore.Dim(3)).ToArray();
        int perLevelCap = Math.Max(1, (int)Math.Min(s.NmsPre, points.Max() * (long)classes));
        int cap = points.Sum(p => (int)Math.Min(s.NmsPre, p * (long)classes));
        using var idx = b.Allocate(DType.Int32, perLevelCap);
        using var prob = b.Allocate(DType.Float32, perLevelCap);
        using var boxes = b.Allocate(DType.Float32, Math.Max(cap, 1), 4);
        using var scores = b.Allocate(DType.Float32, Math.Max(cap, 1));
        using var labels = b.Allocate(DType.Int32, Math.Max(cap, 1));
        using var pointIdx = b.Allocate(DType.Int32, Math.Max(cap, 1));
        using var parameters = b.Allocate(DType.Float32, Math.Max(cap, 1), CondInstArchitecture.NumParams);
        var counts = new int[5];
        var candProbs = sink is null ? null : new List<float>();
        int offset = 0;
        for (int l = 0; l < 5; l++)
        {
            var lv = net.Levels[l];
            // mmdetection keeps min(nms_pre, candidates): a level with fewer points·classes than nms_pre (an
            // elongated or tiny image) keeps them all, and the buffers above are sized for exactly that.
            int topK = (int)Math.Min(s.NmsPre, points[l] * (long)classes);
            int m = b.TopKScores(lv.ClsScore, s.ScoreThreshold, topK, idx, prob);
            counts[l] = m;
            if (m == 0) continue;
            b.DecodeCandidates(idx, prob, m, classes, lv.BboxPred, lv.Centerness, CondInstArchitecture.Strides[l],
                g.ResizedHeight, g.ResizedWidth, boxes, scores, labels, pointIdx, offset);
            using (var cols = pointIdx.Slice(offset, m))
                b.GatherColumns(lv.ParamPred, cols, m, parameters, offset);
            if (candProbs != null)
            {
                var pr = new float[m];
                using var view = prob.Slice(0, m);
                b.Download<float>(view, pr);
                candProbs.AddRange(pr);
            }
            offset += m;
        }
        int total = offset;
        int maxKeep = Math.Min(total, s.MaxPerImage);
        using var keep = b.Allocate(DType.Int32, Math.Max(maxKeep, 1));
        int k = total == 0 ? 0 : b.Nms(boxes, scores, labels, total, s.IouThreshold, s.MaxPerImage, keep);

        var hostBoxes = Read<float>(b, boxes, total * 4);
        var hostScores = Read<float>(b, scores, total);
        var hostLabels = Read<int>(b, labels, total);
        var hostPoints = Read<int>(b, pointIdx, total);
        var keptRows = Read<int>(b, keep, k);
        var level = new int[total];
        for (int l = 0, o = 0; l < 5; o += counts[l], l++) Array.Fill(level, l, o, counts[l]);

        var info = keptRows.SelectMany(r => PointInfo(net, level[r], hostPoints[r])).ToArray();
        var kept = new KeptDetections
        {
            Count = k,
            Boxes = keptRows.SelectMany(r => hostBoxes.AsSpan(4 * r, 4).ToArray()).ToArray(),
            Scores = keptRows.Select(r => hostScores[r]).ToArray(),
            Labels = keptRows.Select(r => hostLabels[r]).ToArray(),
            InstanceInfo = info,
            Parameters = b.Allocate(DType.Float32, k, CondInstArchitecture.NumParams),
            Instances = b.Upload<float>(info, k, 3),
        };
        if (k > 0) b.GatherRows(parameters, keep, k, kept.Parameters);
        if (sink != null)
            CandidateDumps.Write(b, sink, net, candProbs!.ToArray(), level, hostPoints, hostLabels, hostBoxes, hostScores, parameters, total, keptRows, kept);
        return kept;
    }

    /// <summary>(x, y, stride) of point <paramref name="p"/> of level <paramref name="l"/>: ((j + 0.5)·s, (i + 0.5)·s).</summary>
    internal static float[] PointInfo(NetworkOutputs net, int l, int p)
    {
        int w = net.Levels[l].ClsScore.Dim(3);
        float stride = CondInstArchitecture.Strides[l];
        return [(p % w + 0.5f) * stride, (p / w + 0.5f) * stride, stride];
    }

    internal static T[] Read<T>(IBackend b, Tensor t, int count) where T : unmanaged
    {
        var result = new T[count];
        if (count == 0) return result;
        using var view = t.Reshape((int)t.Length).Slice(0, count);
        b.Download<T>(view, result);
        return result;
    }
}
