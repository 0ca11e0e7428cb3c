using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ops;

/// <summary>GroupNorm and the standalone per-channel affine on every backend against the reference.</summary>
public sealed class NormOpTests
{
    public static TheoryData<string> Backends => TestBackends.All;

    [Theory]
    [MemberData(nameof(Backends))]
    public void GroupNormMatchesReference(string backend)
    {
        // (n, c, h, w, groups, relu, offset, spread): offset 1e3 with small spread checks numerical stability.
        var cases = new (int N, int C, int H, int W, int G, bool Relu, float Offset, float Spread)[]
        {
            (1, 64, 13, 11, 32, true, 0f, 1f),
            (2, 32, 5, 7, 32, false, 0f, 3f),
            (1, 16, 1, 1, 4, true, 0f, 1f),       // 1x1 spatial: variance over channels only
            (1, 8, 1, 1, 8, false, 0f, 1f),       // one value per group: variance 0, output = beta
            (1, 24, 9, 9, 3, true, 1000f, 0.01f), // large mean, small variance
            (1, 32, 37, 41, 32, true, -5f, 20f),  // many elements per group
            (0, 32, 4, 4, 32, true, 0f, 1f),      // empty batch
        };
        int seed = 0;
        foreach (var c in cases)
        {
            var rng = new Random(seed++);
            var x = RandomData.Floats(rng, RandomData.Count(c.N, c.C, c.H, c.W), c.Offset - c.Spread, c.Offset + c.Spread);
            var gamma = RandomData.Floats(rng, c.C, 0.5f, 1.5f);
            var beta = RandomData.Floats(rng, c.C, -0.5f, 0.5f);
            foreach (bool inPlace in new[] { false, true })
                OpHarness.Check(backend, $"group_norm n={c.N} c={c.C} {c.H}x{c.W} groups={c.G} relu={c.Relu} offset={c.Offset} spread={c.Spread} inPlace={inPlace}", s =>
                {
                    var xt = s.Up(x, c.N, c.C, c.H, c.W);
                    var y = inPlace ? xt : s.Out(DType.Float32, c.N, c.C, c.H, c.W);
                    s.B.GroupNorm(xt, s.Up(gamma, c.C), s.Up(beta, c.C), c.G, 1e-5f, c.Relu, y);
                    return [y];
                }, new Tolerance(1e-4, 2e-5));
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void GroupNormRejectsIndivisibleGroups(string backend)
    {
        TestBackends.With(backend, b =>
        {
            using var s = new OpScope(b);
            var x = s.Out(DType.Float32, 1, 10, 2, 2);
            var g = s.Up(new float[10], 10);
            var e = Assert.Throws<ArgumentException>(() => b.GroupNorm(x, g, g, 4, 1e-5f, false, x));
            Assert.Contains("groups", e.Message);
        });
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ChannelAffineMatchesReference(string backend)
    {
        var rng = new Random(9);
        foreach (var (n, c, h, w) in new[] { (1, 3, 1, 1), (2, 17, 9, 13), (1, 64, 30, 31) })
            foreach (bool relu in new[] { false, true })
            {
                var x = RandomData.Floats(rng, RandomData.Count(n, c, h, w), -3f, 3f);
                var sc = RandomData.Floats(rng, c, -2f, 2f);
                var sh = RandomData.Floats(rng, c);
                OpHarness.Check(backend, $"channel_affine n={n} c={c} {h}x{w} relu={relu}", s =>
                {
                    var y = s.Out(DType.Float32, n, c, h, w);
                    s.B.ChannelAffine(s.Up(x, n, c, h, w), s.Up(sc, c), s.Up(sh, c), relu, y);
                    return [y];
                }, Tolerance.SameOrder);
            }
    }

    // Seeded random batch, groups, channels per group, spatial size, ReLU and value range.
    [Theory]
    [MemberData(nameof(Backends))]
    public void RandomShapesMatchReference(string backend)
    {
        var rng = new Random(RandomShapes.Seed + 2);
        for (int iter = 0; iter < RandomShapes.Iterations; iter++)
        {
            int n = rng.Next(1, 3), g = new[] { 1, 2, 4, 8, 32 }[rng.Next(5)], c = g * rng.Next(1, 4), h = rng.Next(1, 14), w = rng.Next(1, 14);
            bool relu = rng.Next(2) == 0;
            float offset = (float)(rng.NextDouble() * 20 - 10), spread = (float)(0.01 + rng.NextDouble() * 5);
            var x = RandomData.Floats(rng, RandomData.Count(n, c, h, w), offset - spread, offset + spread);
            var p0 = RandomData.Floats(rng, c, 0.5f, 1.5f);
            var p1 = RandomData.Floats(rng, c, -0.5f, 0.5f);
            OpHarness.Check(backend, $"random #{iter}: group_norm n={n} c={c} {h}x{w} groups={g} relu={relu} offset={offset} spread={spread}", s =>
            {
                var y = s.Out(DType.Float32, n, c, h, w);
                s.B.GroupNorm(s.Up(x, n, c, h, w), s.Up(p0, c), s.Up(p1, c), g, 1e-5f, relu, y);
                return [y];
            }, new Tolerance(1e-4, 2e-5));
            OpHarness.Check(backend, $"random #{iter}: channel_affine n={n} c={c} {h}x{w} relu={relu}", s =>
            {
                var y = s.Out(DType.Float32, n, c, h, w);
                s.B.ChannelAffine(s.Up(x, n, c, h, w), s.Up(p0, c), s.Up(p1, c), relu, y);
                return [y];
            }, Tolerance.SameOrder);
        }
    }
}
