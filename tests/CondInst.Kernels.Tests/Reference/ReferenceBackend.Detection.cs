namespace CondInst.Kernels.Tests.Reference;

public sealed partial class ReferenceBackend
{
    public override int TopKScores(Tensor x, float threshold, int k, Tensor indices, Tensor probs)
    {
        OpChecks.TopKScores(this, x, k, indices, probs);
        int c = x.Dim(1), p = x.Dim(2) * x.Dim(3);
        var xs = F(x);
        var cands = new List<(float Prob, int Flat)>();
        for (int pi = 0; pi < p; pi++)
            for (int ci = 0; ci < c; ci++)
            {
                float prob = Sigmoid(xs[ci * p + pi]);
                if (prob > threshold) cands.Add((prob, pi * c + ci));
            }
        cands.Sort((a, b) => a.Prob != b.Prob ? b.Prob.CompareTo(a.Prob) : a.Flat.CompareTo(b.Flat));
        int m = Math.Min(k, cands.Count);
        var idx = Is(indices);
        var pr = Fs(probs);
        for (int i = 0; i < m; i++)
        {
            idx[i] = cands[i].Flat;
            pr[i] = cands[i].Prob;
        }
        return m;
    }

    public override void DecodeCandidates(Tensor indices, Tensor probs, int count, int numClasses, Tensor bboxPred, Tensor centerness,
        float stride, int imageH, int imageW, Tensor boxes, Tensor scores, Tensor labels, Tensor points, int offset)
    {
        OpChecks.DecodeCandidates(this, indices, probs, count, numClasses, bboxPred, centerness, boxes, scores, labels, points, offset);
        int w = bboxPred.Dim(3), p = bboxPred.Dim(2) * w;
        var idx = Is(indices);
        var pr = Fs(probs);
        var bp = F(bboxPred);
        var ct = F(centerness);
        var bx = Fs(boxes);
        var sc = Fs(scores);
        var lb = Is(labels);
        var pt = Is(points);
        for (int i = 0; i < count; i++)
        {
            int f = idx[i], pi = f / numClasses, o = offset + i;
            float px = (pi % w + 0.5f) * stride, py = (pi / w + 0.5f) * stride;
            bx[4 * o + 0] = Math.Clamp(px - bp[0 * p + pi], 0f, imageW);
            bx[4 * o + 1] = Math.Clamp(py - bp[1 * p + pi], 0f, imageH);
            bx[4 * o + 2] = Math.Clamp(px + bp[2 * p + pi], 0f, imageW);
            bx[4 * o + 3] = Math.Clamp(py + bp[3 * p + pi], 0f, imageH);
            sc[o] = pr[i] * Sigmoid(ct[pi]);
            lb[o] = f % numClasses;
            pt[o] = pi;
        }
    }

    public override int Nms(Tensor boxes, Tensor scores, Tensor labels, int count, float iouThreshold, int maxKeep, Tensor keep)
    {
        OpChecks.Nms(this, boxes, scores, labels, count, maxKeep, keep);
        var bx = F(boxes);
        var sc = F(scores);
        var lb = Is(labels).ToArray();
        var valid = Enumerable.Range(0, count).Where(i => bx[4 * i + 2] - bx[4 * i] > 0f && bx[4 * i + 3] - bx[4 * i + 1] > 0f).ToList();
        if (valid.Count == 0) return 0;
        float maxc = float.NegativeInfinity;
        foreach (int i in valid)
            for (int k = 0; k < 4; k++) maxc = MathF.Max(maxc, bx[4 * i + k]);
        var sb = new float[count * 4];
        var area = new float[count];
        foreach (int i in valid)
        {
            float off = lb[i] * (maxc + 1f);
            for (int k = 0; k < 4; k++) sb[4 * i + k] = bx[4 * i + k] + off;
            area[i] = (sb[4 * i + 2] - sb[4 * i]) * (sb[4 * i + 3] - sb[4 * i + 1]);
        }
        var order = valid.OrderByDescending(i => sc[i]).ThenBy(i => i).ToArray();
        var suppressed = new bool[count];
        var kept = Is(keep);
        int m = 0;
        for (int a = 0; a < order.Length && m < maxKeep; a++)
        {
            int i = order[a];
            if (suppressed[i]) continue;
            kept[m++] = i;
            for (int bI = a + 1; bI < order.Length; bI++)
            {
                int j = order[bI];
                if (suppressed[j]) continue;
                float xx1 = MathF.Max(sb[4 * i], sb[4 * j]), yy1 = MathF.Max(sb[4 * i + 1], sb[4 * j + 1]);
                float xx2 = MathF.Min(sb[4 * i + 2], sb[4 * j + 2]), yy2 = MathF.Min(sb[4 * i + 3], sb[4 * j + 3]);
                float inter = MathF.Max(0f, xx2 - xx1) * MathF.Max(0f, yy2 - yy1);
                float iou = inter / (area[i] + area[j] - inter);
                if (iou > iouThreshold) suppressed[j] = true;
            }
        }
        return m;
    }

    public override void GatherColumns(Tensor source, Tensor columns, int count, Tensor destination, int offset)
    {
        var (d, p) = OpChecks.GatherColumns(this, source, columns, count, destination, offset);
        var s = F(source);
        var cols = Is(columns);
        var dst = Fs(destination);
        for (int i = 0; i < count; i++)
        {
            if ((uint)cols[i] >= (uint)p) throw new ArgumentException($"gather_columns: column {cols[i]} outside [0, {p})");
            for (int k = 0; k < d; k++) dst[(offset + i) * d + k] = s[k * p + cols[i]];
        }
    }

    public override void GatherRows(Tensor source, Tensor rows, int count, Tensor destination)
    {
        int d = OpChecks.GatherRows(this, source, rows, count, destination);
        var s = F(source);
        var r = Is(rows);
        var dst = Fs(destination);
        for (int i = 0; i < count; i++)
        {
            if ((uint)r[i] >= (uint)source.Dim(0)) throw new ArgumentException($"gather_rows: row {r[i]} outside [0, {source.Dim(0)})");
            for (int k = 0; k < d; k++) dst[i * d + k] = s[r[i] * d + k];
        }
    }
}
