namespace CondInst.Kernels;

// Post-processing on the host: score top-k, box decoding, class-aware NMS and gathers (small, sequential data),
// and the dynamic mask head (large: see CpuBackend.MaskHead.cs).
public sealed partial class CpuBackend
{
    private ulong[] _topKeys = [];
    private int[] _nmsOrder = [];
    private ulong[] _nmsKeys = [];
    private float[] _nmsBoxes = [];
    private bool[] _nmsSuppressed = [];

    /// <inheritdoc/>
    public override unsafe int TopKScores(Tensor x, float threshold, int k, Tensor indices, Tensor probs)
    {
        OpChecks.TopKScores(this, x, k, indices, probs);
        int c = x.Dim(1), p = x.Dim(2) * x.Dim(3);
        float* xs = Host("topk_scores", x).Pointer<float>();
        // sigmoid is increasing, so logits at or below logit(threshold) - margin can be skipped without computing
        // exp; the exact test prob > threshold decides for the rest.
        float skipBelow = threshold <= 0f || threshold >= 1f || float.IsNaN(threshold)
            ? float.NegativeInfinity
            : (float)(Math.Log(threshold / (1.0 - threshold)) - 1e-3);
        int count = 0;
        for (int ci = 0; ci < c; ci++)
        {
            float* plane = xs + (long)ci * p;
            for (int pi = 0; pi < p; pi++)
            {
                float v = plane[pi];
                if (v <= skipBelow) continue;
                float prob = 1f / (1f + MathF.Exp(-v));
                if (!(prob > threshold)) continue;
                if (count == _topKeys.Length) Array.Resize(ref _topKeys, Math.Max(1024, 2 * count));
                // Positive floats order as their bits: ~bits ascending = prob descending, then flat index ascending.
                _topKeys[count++] = ((ulong)~BitConverter.SingleToUInt32Bits(prob) << 32) | (uint)(pi * c + ci);
            }
        }
        var keys = _topKeys.AsSpan(0, count);
        keys.Sort();
        int m = Math.Min(k, count);
        var idx = Host("topk_scores", indices).AsSpan<int>();
        var pr = Host("topk_scores", probs).AsSpan<float>();
        for (int i = 0; i < m; i++)
        {
            idx[i] = (int)(uint)keys[i];
            pr[i] = BitConverter.UInt32BitsToSingle(~(uint)(keys[i] >> 32));
        }
        return m;
    }

    /// <inheritdoc/>
    public override void DecodeCandidates(Tensor indices, Tensor probs, int count, int numClasses, Tensor bboxPred, Tensor centerness,
        float stride, int imageH, int imageW, Tensor boxes, Tensor scores, Tensor labels, Tensor points, int offset)
    {
        OpChecks.DecodeCandidates(this, indices, probs, count, numClasses, bboxPred, centerness, boxes, scores, labels, points, offset);
        int w = bboxPred.Dim(3), p = bboxPred.Dim(2) * w;
        var idx = Host("decode_candidates", indices).AsSpan<int>();
        var pr = Host("decode_candidates", probs).AsSpan<float>();
        var bp = Host("decode_candidates", bboxPred).AsSpan<float>();
        var ct = Host("decode_candidates", centerness).AsSpan<float>();
        var bx = Host("decode_candidates", boxes).AsSpan<float>();
        var sc = Host("decode_candidates", scores).AsSpan<float>();
        var lb = Host("decode_candidates", labels).AsSpan<int>();
        var pt = Host("decode_candidates", points).AsSpan<int>();
        for (int i = 0; i < count; i++)
        {
            int f = idx[i], pi = f / numClasses, o = offset + i;
            if (f < 0 || pi >= p)
                throw new ArgumentException($"decode_candidates: index {f} at {i} is outside [0, {(long)p * numClasses}) for {numClasses} classes over {p} points");
            float px = (pi % w + 0.5f) * stride, py = (pi / w + 0.5f) * stride;
            bx[4 * o + 0] = Math.Clamp(px - bp[pi], 0f, imageW);
            bx[4 * o + 1] = Math.Clamp(py - bp[p + pi], 0f, imageH);
            bx[4 * o + 2] = Math.Clamp(px + bp[2 * p + pi], 0f, imageW);
            bx[4 * o + 3] = Math.Clamp(py + bp[3 * p + pi], 0f, imageH);
            sc[o] = pr[i] * (1f / (1f + MathF.Exp(-ct[pi])));
            lb[o] = f % numClasses;
            pt[o] = pi;
        }
    }

    /// <inheritdoc/>
    public override int Nms(Tensor boxes, Tensor scores, Tensor labels, int count, float iouThreshold, int maxKeep, Tensor keep)
    {
        OpChecks.Nms(this, boxes, scores, labels, count, maxKeep, keep);
        var bx = Host("nms", boxes).AsSpan<float>();
        var sc = Host("nms", scores).AsSpan<float>();
        var lb = Host("nms", labels).AsSpan<int>();
        if (_nmsOrder.Length < count)
        {
            _nmsOrder = new int[count];
            _nmsKeys = new ulong[count];
            _nmsBoxes = new float[5 * count];
            _nmsSuppressed = new bool[count];
        }
        // Degenerate boxes leave first; the class offset uses the largest coordinate of those that remain.
        int valid = 0;
        float maxc = float.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            if (!(bx[4 * i + 2] - bx[4 * i] > 0f && bx[4 * i + 3] - bx[4 * i + 1] > 0f)) continue;
            _nmsOrder[valid++] = i;
            for (int q = 0; q < 4; q++) maxc = MathF.Max(maxc, bx[4 * i + q]);
        }
        if (valid == 0) return 0;
        var sb = _nmsBoxes;
        for (int v = 0; v < valid; v++)
        {
            int i = _nmsOrder[v];
            float off = lb[i] * (maxc + 1f);
            for (int q = 0; q < 4; q++) sb[5 * i + q] = bx[4 * i + q] + off;
            sb[5 * i + 4] = (sb[5 * i + 2] - sb[5 * i]) * (sb[5 * i + 3] - sb[5 * i + 1]);
        }
        // Score descending, row ascending: one sortable key per row (the score's bits made monotonic, inverted).
        var keys = _nmsKeys.AsSpan(0, valid);
        for (int v = 0; v < valid; v++)
        {
            int i = _nmsOrder[v];
            int bits = BitConverter.SingleToInt32Bits(sc[i] + 0f); // + 0f turns -0 into +0, as the float compare sees them
            uint ordered = bits >= 0 ? (uint)bits ^ 0x80000000u : ~(uint)bits;
            keys[v] = ((ulong)~ordered << 32) | (uint)i;
        }
        keys.Sort();
        var order = _nmsOrder.AsSpan(0, valid);
        for (int v = 0; v < valid; v++) order[v] = (int)(uint)keys[v];
        var suppressed = _nmsSuppressed.AsSpan(0, count);
        suppressed.Clear();
        var kept = Host("nms", keep).AsSpan<int>();
        int m = 0;
        for (int a = 0; a < valid && m < maxKeep; a++)
        {
            int i = order[a];
            if (suppressed[i]) continue;
            kept[m++] = i;
            for (int b = a + 1; b < valid; b++)
            {
                int j = order[b];
                if (suppressed[j]) continue;
                float xx1 = MathF.Max(sb[5 * i], sb[5 * j]), yy1 = MathF.Max(sb[5 * i + 1], sb[5 * j + 1]);
                float xx2 = MathF.Min(sb[5 * i + 2], sb[5 * j + 2]), yy2 = MathF.Min(sb[5 * i + 3], sb[5 * j + 3]);
                float inter = MathF.Max(0f, xx2 - xx1) * MathF.Max(0f, yy2 - yy1);
                float iou = inter / (sb[5 * i + 4] + sb[5 * j + 4] - inter);
                if (iou > iouThreshold) suppressed[j] = true;
            }
        }
        return m;
    }

    /// <inheritdoc/>
    public override void GatherColumns(Tensor source, Tensor columns, int count, Tensor destination, int offset)
    {
        var (d, p) = OpChecks.GatherColumns(this, source, columns, count, destination, offset);
        var s = Host("gather_columns", source).AsSpan<float>();
        var cols = Host("gather_columns", columns).AsSpan<int>();
        var dst = Host("gather_columns", destination).AsSpan<float>();
        for (int i = 0; i < count; i++)
        {
            int col = cols[i];
            if ((uint)col >= (uint)p) throw new ArgumentException($"gather_columns: column {col} at {i} is outside [0, {p})");
            var row = dst.Slice((offset + i) * d, d);
            for (int k = 0; k < d; k++) row[k] = s[k * p + col];
        }
    }

    /// <inheritdoc/>
    public override void GatherRows(Tensor source, Tensor rows, int count, Tensor destination)
    {
        int d = OpChecks.GatherRows(this, source, rows, count, destination);
        var s = Host("gather_rows", source).AsSpan<float>();
        var r = Host("gather_rows", rows).AsSpan<int>();
        var dst = Host("gather_rows", destination).AsSpan<float>();
        for (int i = 0; i < count; i++)
        {
            if ((uint)r[i] >= (uint)source.Dim(0)) throw new ArgumentException($"gather_rows: row {r[i]} at {i} is outside [0, {source.Dim(0)})");
            s.Slice(r[i] * d, d).CopyTo(dst.Slice(i * d, d));
        }
    }
}
