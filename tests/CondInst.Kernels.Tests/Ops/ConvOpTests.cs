using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ops;

/// <summary>Convolution with fused epilogue on every backend against the reference.</summary>
public sealed class ConvOpTests
{
    public static TheoryData<string> Backends => TestBackends.All;

    /// <summary>One convolution case: geometry, input size and epilogue.</summary>
    public sealed record Case(int N, int H, int W, ConvSpec Spec, bool Bias, bool Scale, bool Residual, bool Relu)
    {
        public override string ToString() =>
            $"conv n={N} {Spec.InChannels}->{Spec.OutChannels} in {H}x{W} k={Spec.KernelH}x{Spec.KernelW} s={Spec.StrideH},{Spec.StrideW} " +
            $"p={Spec.PadH},{Spec.PadW} d={Spec.DilationH},{Spec.DilationW} g={Spec.Groups} bias={Bias} scale={Scale} residual={Residual} relu={Relu}";
    }

    // Edge cases named in the issue, plus the network's own layer kinds at reduced size.
    public static readonly Case[] EdgeCases =
    [
        new(1, 1, 1, ConvSpec.Square(3, 5, 1), true, false, false, false),                       // 1x1 spatial, 1x1 kernel
        new(1, 1, 1, ConvSpec.Square(4, 6, 3, pad: 1), true, true, true, true),                   // 1x1 spatial, 3x3 kernel (all padding)
        new(1, 7, 9, ConvSpec.Square(3, 16, 7, stride: 2, pad: 3), false, true, false, true),     // ResNet stem shape
        new(2, 13, 11, ConvSpec.Square(17, 33, 3, pad: 1), true, true, true, true),               // odd sizes, channels off tile sizes
        new(1, 9, 10, ConvSpec.Square(8, 8, 1, stride: 3), false, false, false, false),           // stride > kernel
        new(1, 12, 12, ConvSpec.Square(16, 24, 3, stride: 2, pad: 1), false, true, false, true),  // strided 3x3 (bottleneck conv2)
        new(1, 10, 14, ConvSpec.Square(32, 64, 1, stride: 2), false, true, false, false),         // strided 1x1 (downsample)
        new(1, 6, 8, ConvSpec.Square(64, 16, 1), true, false, false, false),                      // channel reduction 1x1
        new(1, 11, 9, ConvSpec.Square(12, 12, 3, pad: 2, dilation: 2), true, false, false, false),// dilation
        new(1, 8, 8, ConvSpec.Square(8, 12, 3, pad: 1, groups: 4), true, true, true, true),       // groups
        new(1, 9, 7, ConvSpec.Square(6, 6, 3, pad: 1, groups: 6), false, false, false, true),     // depthwise
        new(1, 5, 6, new ConvSpec(5, 7, 1, 3, 1, 2, 0, 1), true, false, false, false),            // rectangular kernel, uneven strides
        new(0, 5, 5, ConvSpec.Square(3, 4, 3, pad: 1), true, false, false, false),                // empty batch
        new(1, 25, 38, ConvSpec.Square(64, 80, 3, pad: 1), true, false, false, false),            // head-like, larger tile count
    ];

    public static TheoryData<string, int> EdgeCaseRows()
    {
        var data = new TheoryData<string, int>();
        foreach (var b in TestBackends.Ids)
            for (int i = 0; i < EdgeCases.Length; i++) data.Add(b, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(EdgeCaseRows))]
    public void EdgeCaseMatchesReference(string backend, int index) => Run(backend, EdgeCases[index], seed: index);

    [Theory]
    [MemberData(nameof(Backends))]
    public void RandomShapesMatchReference(string backend)
    {
        var rng = new Random(12345);
        for (int iter = 0; iter < 24; iter++) Run(backend, RandomCase(rng), seed: iter);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void HugeAndTinyValuesKeepRelativeAccuracy(string backend)
    {
        foreach (float magnitude in new[] { 1e-20f, 1e15f })
        {
            var c = new Case(1, 6, 7, ConvSpec.Square(9, 10, 3, pad: 1), true, true, true, false);
            Run(backend, c, seed: 77, magnitude: magnitude);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void WrongShapesGiveClearErrors(string backend)
    {
        TestBackends.With(backend, b =>
        {
            using var s = new OpScope(b);
            var spec = ConvSpec.Square(4, 8, 3, pad: 1);
            var conv = s.Track(b.PrepareConv(spec, new float[spec.WeightCount], [], []));
            var x = s.Out(DType.Float32, 1, 3, 5, 5);
            var y = s.Out(DType.Float32, 1, 8, 5, 5);
            var e = Assert.Throws<ArgumentException>(() => b.Conv2d(conv, x, y));
            Assert.Contains("channels", e.Message);
            var x4 = s.Out(DType.Float32, 1, 4, 5, 5);
            var yBad = s.Out(DType.Float32, 1, 8, 4, 5);
            e = Assert.Throws<ArgumentException>(() => b.Conv2d(conv, x4, yBad));
            Assert.Contains("y must be", e.Message);
            e = Assert.Throws<ArgumentException>(() => b.PrepareConv(spec, new float[3], [], []));
            Assert.Contains("weight has 3 elements", e.Message);
        });
    }

    private static Case RandomCase(Random rng)
    {
        int k = new[] { 1, 1, 3, 3, 3, 5, 7 }[rng.Next(7)];
        int stride = rng.Next(3) == 0 ? 2 : 1;
        int pad = rng.Next(k / 2 + 1);
        int dil = k > 1 && rng.Next(5) == 0 ? 2 : 1;
        int groups = rng.Next(6) == 0 ? 2 : 1;
        int cin = groups * rng.Next(1, 20), cout = groups * rng.Next(1, 24);
        int h = rng.Next(1, 20), w = rng.Next(1, 24);
        int minSize = dil * (k - 1) + 1 - 2 * pad;
        h = Math.Max(h, minSize);
        w = Math.Max(w, minSize);
        var spec = ConvSpec.Square(cin, cout, k, stride, pad, dil, groups);
        return new Case(rng.Next(1, 3), h, w, spec, rng.Next(2) == 0, rng.Next(2) == 0, rng.Next(3) == 0, rng.Next(2) == 0);
    }

    private static void Run(string backend, Case c, int seed, float magnitude = 1f)
    {
        var s = c.Spec;
        var rng = new Random(seed);
        int oh = s.OutH(c.H), ow = s.OutW(c.W);
        var x = RandomData.Floats(rng, RandomData.Count(c.N, s.InChannels, c.H, c.W), -magnitude, magnitude);
        var w = RandomData.Floats(rng, s.WeightCount);
        var bias = c.Bias ? RandomData.Floats(rng, s.OutChannels, -magnitude, magnitude) : [];
        var scale = c.Scale ? RandomData.Floats(rng, s.OutChannels, 0.5f, 2f) : [];
        var res = c.Residual ? RandomData.Floats(rng, RandomData.Count(c.N, s.OutChannels, oh, ow), -magnitude, magnitude) : null;
        OpHarness.Check(backend, c.ToString(), sc =>
        {
            var conv = sc.Track(sc.B.PrepareConv(s, w, bias, scale));
            var xt = sc.Up(x, c.N, s.InChannels, c.H, c.W);
            var y = sc.Out(DType.Float32, c.N, s.OutChannels, oh, ow);
            var r = res is null ? null : sc.Up(res, c.N, s.OutChannels, oh, ow);
            sc.B.Conv2d(conv, xt, y, r, c.Relu);
            return [y];
        }, Tolerance.Reordered);
    }
}
