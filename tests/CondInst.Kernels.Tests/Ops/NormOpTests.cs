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
}
