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

    /// <summary>Every candidate that went into NMS (for diagnostics); null when the detections were made up.</summary>
    public Candidates? Candidates { get; init; }

    public void Dispose()
    {
        Parameters.Dispose();
        Instances.Dispose();
        Candidates?.Dispose();
    }
}

/// <summary>
/// The candidates of one image before NMS, in level order: where each came from and what NMS was given. Kept so that
/// diagnostics can show every step (the host arrays are a few KB; the parameters stay on the device).
/// </summary>
internal sealed class Candidates : IDisposable
{
    public required int Count { get; init; }

    /// <summary>FPN level (0 = P3) of each candidate.</summary>
    public required int[] Level { get; init; }

    /// <summary>Point index within its level (row-major).</summary>
    public required int[] Point { get; init; }

    public required int[] Labels { get; init; }

    /// <summary>Decoded boxes x1, y1, x2, y2 in resized-image pixels (Count·4).</summary>
    public required float[] Boxes { get; init; }

    public required float[] Scores { get; init; }

    /// <summary>Device [Count, 169] controller outputs (rows beyond Count unused).</summary>
    public required Tensor Parameters { get; init; }

    /// <summary>The candidate rows NMS kept, in NMS order.</summary>
    public required int[] KeptRows { get; init; }

    public void Dispose() => Parameters.Dispose();
}

/// <summary>
/// Box post-processing (docs/INFERENCE.md#box-postprocessing) on the device: per level sigmoid + score filter + top-k
/// (<see cref="IBackend.TopKScores"/>), decoding, parameter gathering, then class-aware NMS and max_per_img.
/// The host reads back only counts, the kept rows' boxes/scores/labels and point indices (a few KB): the number
/// of detections decides every later shape, so one small read is unavoidable.
/// </summary>
internal static class BoxSelector
{
    public static KeptDetections Select(IBackend b, NetworkOutputs net, ImageGeometry g, TestSettings s)
    {
        int classes = net.Levels[0].ClsScore.Dim(1);
        var points = net.Levels.Select(l => l.ClsScore.Dim(2) * l.ClsScore.Dim(3)).ToArray();
        int perLevelCap = Math.Max(1, (int)Math.Min(s.NmsPre, points.Max() * (long)classes));
        int cap = points.Sum(p => (int)Math.Min(s.NmsPre, p * (long)classes));
        var parameters = b.Allocate(DType.Float32, Math.Max(cap, 1), CondInstArchitecture.NumParams);
        try
        {
            return Select(b, net, g, s, classes, perLevelCap, cap, parameters);
        }
        catch
        {
            parameters.Dispose();
            throw;
        }
    }

    private static KeptDetections Select(IBackend b, NetworkOutputs net, ImageGeometry g, TestSettings s, int classes, int perLevelCap, int cap, Tensor parameters)
    {
        using var idx = b.Allocate(DType.Int32, perLevelCap);
        using var prob = b.Allocate(DType.Float32, perLevelCap);
        using var boxes = b.Allocate(DType.Float32, Math.Max(cap, 1), 4);
        using var scores = b.Allocate(DType.Float32, Math.Max(cap, 1));
        using var labels = b.Allocate(DType.Int32, Math.Max(cap, 1));
        using var pointIdx = b.Allocate(DType.Int32, Math.Max(cap, 1));
        var counts = new int[5];
        int offset = 0;
        for (int l = 0; l < 5; l++)
        {
            var lv = net.Levels[l];
            // mmdetection keeps min(nms_pre, candidates): a level with fewer points·classes than nms_pre (an
            // elongated or tiny image) keeps them all, and the buffers above are sized for exactly that.
            int topK = (int)Math.Min(s.NmsPre, lv.ClsScore.Dim(2) * (long)lv.ClsScore.Dim(3) * classes);
            int m = b.TopKScores(lv.ClsScore, s.ScoreThreshold, topK, idx, prob);
            counts[l] = m;
            if (m == 0) continue;
            b.DecodeCandidates(idx, prob, m, classes, lv.BboxPred, lv.Centerness, CondInstArchitecture.Strides[l],
                g.ResizedHeight, g.ResizedWidth, boxes, scores, labels, pointIdx, offset);
            using (var cols = pointIdx.Slice(offset, m))
                b.GatherColumns(lv.ParamPred, cols, m, parameters, offset);
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
            Candidates = new Candidates
            {
                Count = total,
                Level = level,
                Point = hostPoints,
                Labels = hostLabels,
                Boxes = hostBoxes,
                Scores = hostScores,
                Parameters = parameters,
                KeptRows = keptRows,
            },
        };
        if (k > 0) b.GatherRows(parameters, keep, k, kept.Parameters);
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
