namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// Box post-processing: score filter + top-1000 over P3's class logits [1, 80, 100, 152] (an 800x1216 input;
/// logits ~ N(−5, 1.5) so about 8 % pass score_thr 0.05), and class-aware NMS of 1000 clustered boxes (IoU 0.6,
/// keep ≤ 100). Times only; their work is selection, not arithmetic.
/// </summary>
public class DetectionBenchmarks : KernelBenchmark
{
    private static readonly KernelCase[] All =
    [
        new("topk 1000 of 80x100x152", new Work(0, 4.0 * 80 * 100 * 152),
            (b, owned) =>
            {
                var rng = new Random(1);
                var logits = new float[80 * 100 * 152];
                for (int i = 0; i < logits.Length; i++) logits[i] = -5f + 1.5f * (float)(rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5) * 2f;
                var x = b.Upload<float>(logits, 1, 80, 100, 152);
                owned.Add(x);
                var idx = Empty(b, owned, DType.Int32, 1000);
                var probs = Empty(b, owned, DType.Float32, 1000);
                return () => b.TopKScores(x, 0.05f, 1000, idx, probs);
            }),
        new("nms 1000 boxes", new Work(0, 1000 * 4.0 * 6),
            (b, owned) =>
            {
                var rng = new Random(2);
                var boxes = new float[4000];
                var scores = new float[1000];
                var labels = new int[1000];
                for (int i = 0; i < 1000; i++)
                {
                    // 40 objects, 25 candidate boxes each, jittered around them; 10 classes.
                    var o = new Random(i % 40);
                    float cx = o.Next(1216), cy = o.Next(800), w = 30 + o.Next(300), h = 30 + o.Next(300);
                    float j() => (float)(rng.NextDouble() - 0.5) * 0.3f;
                    (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]) =
                        (cx - w / 2 * (1 + j()), cy - h / 2 * (1 + j()), cx + w / 2 * (1 + j()), cy + h / 2 * (1 + j()));
                    scores[i] = (float)rng.NextDouble();
                    labels[i] = (i % 40) % 10;
                }
                var bt = b.Upload<float>(boxes, 1000, 4);
                var st = b.Upload<float>(scores, 1000);
                var lt = b.Upload<int>(labels, 1000);
                var keep = Empty(b, owned, DType.Int32, 100);
                owned.AddRange([bt, st, lt]);
                return () => b.Nms(bt, st, lt, 1000, 0.6f, 100, keep);
            }),
    ];

    protected override IReadOnlyList<KernelCase> Cases => All;
}
