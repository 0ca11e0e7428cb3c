namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// CondInst's dynamic mask head (10→8→8→1 per instance, all instances in one launch) on the stride-8 mask feature
/// of an 800x1216 input ([1, 8, 100, 152]) for 10 and 100 instances.
/// </summary>
public class MaskHeadBenchmarks : KernelBenchmark
{
    private const int H = 100, W = 152;

    private static readonly KernelCase[] All = [Make(10), Make(100)];

    protected override IReadOnlyList<KernelCase> Cases => All;

    private static KernelCase Make(int n) =>
        new($"dynamic head {n} inst @100x152",
            new Work(2.0 * Ilgpu.MaskHeadLayout.MacsPerPixel * H * W * n, 4.0 * (8 * H * W + Ilgpu.MaskHeadLayout.Params * n + 3 * n + (long)n * H * W)),
            (b, owned) =>
            {
                var features = RandomTensor(b, owned, 1, -2, 2, 1, 8, H, W);
                var parameters = RandomTensor(b, owned, 2, -0.5f, 0.5f, n, Ilgpu.MaskHeadLayout.Params);
                var rng = new Random(3);
                var inst = new float[3 * n];
                for (int i = 0; i < n; i++) (inst[3 * i], inst[3 * i + 1], inst[3 * i + 2]) = (rng.Next(W * 8), rng.Next(H * 8), 8 << rng.Next(5));
                var instances = b.Upload<float>(inst, n, 3);
                owned.Add(instances);
                var logits = Empty(b, owned, DType.Float32, n, 1, H, W);
                return () =>
                {
                    b.DynamicMaskHead(features, parameters, instances, 8f, 8f, logits);
                    b.Synchronize();
                };
            });
}
