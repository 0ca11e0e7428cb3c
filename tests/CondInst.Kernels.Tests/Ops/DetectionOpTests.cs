using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ops;

/// <summary>Top-k, candidate decoding, NMS and gathers on every backend against the reference.</summary>
public sealed class DetectionOpTests
{
    public static TheoryData<string> Backends => TestBackends.All;

    [Theory]
    [MemberData(nameof(Backends))]
    public void TopKMatchesReference(string backend)
    {
        var rng = new Random(10);
        foreach (var (c, h, w, k, thr) in new[] { (80, 36, 56, 1000, 0.05f), (80, 5, 7, 1000, 0.05f), (3, 40, 40, 100, 0.5f), (80, 2, 2, 5, 0.99999f), (1, 1, 1, 1, 0.0f), (7, 9, 9, 0, 0.1f) })
        {
            // Logits around the threshold's logit, with deliberate duplicates so ties must break by flat index.
            var x = RandomData.Floats(rng, RandomData.Count(1, c, h, w), -4f, 1f);
            for (int i = 0; i + 7 < x.Length; i += 13) x[i + 7] = x[i];
            OpHarness.Check(backend, $"topk_scores c={c} {h}x{w} k={k} thr={thr}", s =>
            {
                var idx = s.Out(DType.Int32, Math.Max(k, 1));
                var pr = s.Out(DType.Float32, Math.Max(k, 1));
                int m = s.B.TopKScores(s.Up(x, 1, c, h, w), thr, k, idx, pr);
                var count = s.Up(new[] { m }, 1);
                return [count, idx.Slice(0, m), pr.Slice(0, m)];
            }, Tolerance.Exact);
        }
        // Near-ties: logits packed within a few ulps of 0 fill one histogram bin on the cpu backend, so its shortcut
        // (take only the top bins) cannot be proven and it must fall back to all candidates.
        var flat = new float[80 * 20 * 20];
        for (int i = 0; i < flat.Length; i++) flat[i] = BitConverter.Int32BitsToSingle(rng.Next(0, 4)) * (i % 2 == 0 ? 1 : -1);
        OpHarness.Check(backend, "topk_scores near-ties c=80 20x20 k=100 thr=0.05", s =>
        {
            var idx = s.Out(DType.Int32, 100);
            var pr = s.Out(DType.Float32, 100);
            int m = s.B.TopKScores(s.Up(flat, 1, 80, 20, 20), 0.05f, 100, idx, pr);
            return [s.Up(new[] { m }, 1), idx.Slice(0, m), pr.Slice(0, m)];
        }, Tolerance.Exact);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void DecodeMatchesReference(string backend)
    {
        var rng = new Random(11);
        int c = 80, h = 9, w = 14, n = 50, m = 70, offset = 13;
        var idx = Enumerable.Range(0, n).Select(_ => rng.Next(c * h * w)).ToArray();
        var pr = RandomData.Floats(rng, n, 0.05f, 1f);
        var bbox = RandomData.Floats(rng, 4 * h * w, 0f, 200f);
        var ctr = RandomData.Floats(rng, h * w, -5f, 5f);
        OpHarness.Check(backend, $"decode_candidates c={c} {h}x{w} n={n} offset={offset}", s =>
        {
            var boxes = s.Out(DType.Float32, m, 4);
            var scores = s.Out(DType.Float32, m);
            var labels = s.Out(DType.Int32, m);
            var points = s.Out(DType.Int32, m);
            s.B.DecodeCandidates(s.Up(idx, n), s.Up(pr, n), n, c, s.Up(bbox, 1, 4, h, w), s.Up(ctr, 1, 1, h, w), 16f, 140, 221,
                boxes, scores, labels, points, offset);
            return [boxes.Slice(offset, n), scores.Slice(offset, n), labels.Slice(offset, n), points.Slice(offset, n)];
        }, Tolerance.SameOrder);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void NmsMatchesReference(string backend)
    {
        var rng = new Random(12);
        foreach (var (count, classes, maxKeep) in new[] { (0, 3, 100), (1, 1, 100), (40, 3, 100), (300, 80, 100), (500, 2, 10) })
        {
            // Clustered boxes so that suppression happens; some degenerate (zero width) boxes; duplicate scores.
            var boxes = new float[Math.Max(count, 1) * 4];
            var scores = RandomData.Floats(rng, Math.Max(count, 1), 0f, 1f);
            var labels = Enumerable.Range(0, Math.Max(count, 1)).Select(_ => rng.Next(classes)).ToArray();
            for (int i = 0; i < count; i++)
            {
                float cx = rng.Next(5) * 50f + (float)rng.NextDouble() * 10f, cy = rng.Next(4) * 50f + (float)rng.NextDouble() * 10f;
                float bw = 10f + (float)rng.NextDouble() * 40f, bh = 10f + (float)rng.NextDouble() * 40f;
                boxes[4 * i] = cx; boxes[4 * i + 1] = cy; boxes[4 * i + 2] = cx + bw; boxes[4 * i + 3] = cy + bh;
                if (i % 17 == 5) boxes[4 * i + 2] = cx;
                if (i % 11 == 3 && i > 0) scores[i] = scores[i - 1];
            }
            OpHarness.Check(backend, $"nms count={count} classes={classes} maxKeep={maxKeep}", s =>
            {
                var keep = s.Out(DType.Int32, Math.Max(1, Math.Min(count, maxKeep)));
                int k = s.B.Nms(s.Up(boxes, Math.Max(count, 1), 4), s.Up(scores, Math.Max(count, 1)), s.Up(labels, Math.Max(count, 1)), count, 0.6f, maxKeep, keep);
                return [s.Up(new[] { k }, 1), keep.Slice(0, k)];
            }, Tolerance.Exact);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void GathersMatchReference(string backend)
    {
        var rng = new Random(13);
        int d = 169, h = 7, w = 9, n = 23, m = 40;
        var src = RandomData.Floats(rng, d * h * w);
        var cols = Enumerable.Range(0, n).Select(_ => rng.Next(h * w)).ToArray();
        var rows = Enumerable.Range(0, 11).Select(_ => rng.Next(n)).ToArray();
        OpHarness.Check(backend, $"gather_columns d={d} p={h * w} n={n} then gather_rows 11", s =>
        {
            var dst = s.Out(DType.Float32, m, d);
            s.B.GatherColumns(s.Up(src, 1, d, h, w), s.Up(cols, n), n, dst, 5);
            var picked = s.Out(DType.Float32, 11, d);
            s.B.GatherRows(dst, s.Up(rows.Select(r => r + 5).ToArray(), 11), 11, picked);
            return [dst.Slice(5, n), picked];
        }, Tolerance.Exact);
    }

    // Seeded random class counts, map sizes, k, thresholds, box sets and gathers.
    [Theory]
    [MemberData(nameof(Backends))]
    public void RandomShapesMatchReference(string backend)
    {
        var rng = new Random(RandomShapes.Seed + 7);
        for (int iter = 0; iter < RandomShapes.Iterations; iter++)
        {
            int c = rng.Next(1, 12), h = rng.Next(1, 13), w = rng.Next(1, 13), k = rng.Next(1, 300);
            float thr = (float)rng.NextDouble() * 0.9f;
            var x = RandomData.Floats(rng, RandomData.Count(1, c, h, w), -4f, 2f);
            for (int i = 0; i + 5 < x.Length; i += 9) x[i + 5] = x[i];
            OpHarness.Check(backend, $"random #{iter}: topk_scores c={c} {h}x{w} k={k} thr={thr}", s =>
            {
                var idx = s.Out(DType.Int32, k);
                var pr = s.Out(DType.Float32, k);
                int m = s.B.TopKScores(s.Up(x, 1, c, h, w), thr, k, idx, pr);
                return [s.Up(new[] { m }, 1), idx.Slice(0, m), pr.Slice(0, m)];
            }, Tolerance.Exact);

            int count = rng.Next(0, 400), classes = rng.Next(1, 6), maxKeep = rng.Next(1, 150);
            int rows = Math.Max(count, 1);
            var boxes = new float[rows * 4];
            for (int i = 0; i < count; i++)
            {
                float bx = (float)rng.NextDouble() * 200f, by = (float)rng.NextDouble() * 200f;
                (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]) = (bx, by, bx + 5f + (float)rng.NextDouble() * 60f, by + 5f + (float)rng.NextDouble() * 60f);
            }
            var scores = RandomData.Floats(rng, rows, 0f, 1f);
            var labels = Enumerable.Range(0, rows).Select(_ => rng.Next(classes)).ToArray();
            float iou = 0.3f + (float)rng.NextDouble() * 0.5f;
            OpHarness.Check(backend, $"random #{iter}: nms count={count} classes={classes} maxKeep={maxKeep} iou={iou}", s =>
            {
                var keep = s.Out(DType.Int32, Math.Max(1, Math.Min(count, maxKeep)));
                int kept = s.B.Nms(s.Up(boxes, rows, 4), s.Up(scores, rows), s.Up(labels, rows), count, iou, maxKeep, keep);
                return [s.Up(new[] { kept }, 1), keep.Slice(0, kept)];
            }, Tolerance.Exact);

            int n = rng.Next(1, 40), d = rng.Next(1, 200), offset = rng.Next(0, 5);
            var idxs = Enumerable.Range(0, n).Select(_ => rng.Next(c * h * w)).ToArray();
            var probs = RandomData.Floats(rng, n, 0.05f, 1f);
            var bbox = RandomData.Floats(rng, 4 * h * w, 0f, 200f);
            var ctr = RandomData.Floats(rng, h * w, -5f, 5f);
            int stride = 8 << rng.Next(5), imgH = rng.Next(1, 900), imgW = rng.Next(1, 900);
            OpHarness.Check(backend, $"random #{iter}: decode_candidates c={c} {h}x{w} n={n} stride={stride} image {imgH}x{imgW} offset={offset}", s =>
            {
                var bx = s.Out(DType.Float32, offset + n, 4);
                var sc = s.Out(DType.Float32, offset + n);
                var lb = s.Out(DType.Int32, offset + n);
                var pt = s.Out(DType.Int32, offset + n);
                s.B.DecodeCandidates(s.Up(idxs, n), s.Up(probs, n), n, c, s.Up(bbox, 1, 4, h, w), s.Up(ctr, 1, 1, h, w), stride, imgH, imgW,
                    bx, sc, lb, pt, offset);
                return [bx.Slice(offset, n), sc.Slice(offset, n), lb.Slice(offset, n), pt.Slice(offset, n)];
            }, Tolerance.SameOrder);
            var src = RandomData.Floats(rng, d * h * w);
            var cols = Enumerable.Range(0, n).Select(_ => rng.Next(h * w)).ToArray();
            int picks = rng.Next(1, n + 1);
            var rowsPicked = Enumerable.Range(0, picks).Select(_ => offset + rng.Next(n)).ToArray();
            OpHarness.Check(backend, $"random #{iter}: gather_columns d={d} p={h * w} n={n} offset={offset}, gather_rows {picks}", s =>
            {
                var dst = s.Out(DType.Float32, offset + n, d);
                s.B.GatherColumns(s.Up(src, 1, d, h, w), s.Up(cols, n), n, dst, offset);
                var picked = s.Out(DType.Float32, picks, d);
                s.B.GatherRows(dst, s.Up(rowsPicked, picks), picks, picked);
                return [dst.Slice(offset, n), picked];
            }, Tolerance.Exact);
        }
    }
}
