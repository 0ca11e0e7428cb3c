using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ops;

/// <summary>The batched dynamic mask head on every backend against the reference.</summary>
public sealed class MaskHeadOpTests
{
    public static TheoryData<string> Backends => TestBackends.All;

    [Theory]
    [MemberData(nameof(Backends))]
    public void DynamicMaskHeadMatchesReference(string backend)
    {
        var rng = new Random(14);
        foreach (var (n, h, w) in new[] { (0, 6, 7), (1, 36, 56), (37, 9, 13), (3, 1, 1) })
        {
            var feat = RandomData.Floats(rng, 8 * h * w, -2f, 2f);
            var prm = RandomData.Floats(rng, n * 169, -1f, 1f);
            var inst = new float[n * 3];
            for (int i = 0; i < n; i++)
            {
                inst[3 * i] = (float)rng.NextDouble() * w * 8;
                inst[3 * i + 1] = (float)rng.NextDouble() * h * 8;
                inst[3 * i + 2] = new[] { 8f, 16f, 32f, 64f, 128f }[rng.Next(5)];
            }
            OpHarness.Check(backend, $"dynamic_mask_head n={n} {h}x{w}", s =>
            {
                var y = s.Out(DType.Float32, n, 1, h, w);
                s.B.DynamicMaskHead(s.Up(feat, 1, 8, h, w), s.Up(prm, n, 169), s.Up(inst, n, 3), 8f, 8f, y);
                return [y];
            }, new Tolerance(1e-5, 1e-5));
        }
    }

    // Seeded random instance counts, feature sizes, strides and size of interest.
    [Theory]
    [MemberData(nameof(Backends))]
    public void RandomShapesMatchReference(string backend)
    {
        var rng = new Random(RandomShapes.Seed + 5);
        for (int iter = 0; iter < RandomShapes.Iterations; iter++)
        {
            int n = rng.Next(0, 7), h = rng.Next(1, 15), w = rng.Next(1, 15);
            float stride = new[] { 4f, 8f }[rng.Next(2)], soi = new[] { 8f, 16f }[rng.Next(2)];
            var feat = RandomData.Floats(rng, 8 * h * w, -2f, 2f);
            var prm = RandomData.Floats(rng, n * 169, -1f, 1f);
            var inst = new float[n * 3];
            for (int i = 0; i < n; i++)
                (inst[3 * i], inst[3 * i + 1], inst[3 * i + 2]) = ((float)rng.NextDouble() * w * stride, (float)rng.NextDouble() * h * stride, 8 << rng.Next(5));
            OpHarness.Check(backend, $"random #{iter}: dynamic_mask_head n={n} {h}x{w} stride={stride} soi={soi}", s =>
            {
                var y = s.Out(DType.Float32, n, 1, h, w);
                s.B.DynamicMaskHead(s.Up(feat, 1, 8, h, w), s.Up(prm, n, 169), s.Up(inst, n, 3), stride, soi, y);
                return [y];
            }, new Tolerance(1e-5, 1e-5));
        }
    }
}
