using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// The phase-split GEMM (<see cref="ConvPhaseGemm"/>, stride 2 across): forced on fixed edge cases and on random
/// shapes against the reference, bit for bit against the im2col GEMM (same kernel, same k order), the phase split
/// itself against a plain loop, and the dispatch rule.
/// </summary>
public sealed unsafe class ConvPhaseGemmTests
{
    public static TheoryData<int, int, int, int, int, int, int, bool> Cases => new()
    {
        // cin, cout, kernel, pad, h, w, batch, residual+relu
        { 3, 64, 7, 3, 64, 90, 1, true },    // stem-like: 10 full channel panels and one of 4, ow = 45 (2 full + 1 part panel)
        { 3, 64, 7, 3, 37, 61, 2, false },   // odd sizes, two images
        { 1, 5, 7, 3, 9, 9, 1, true },       // one channel, one 5-column panel
        { 2, 13, 3, 1, 17, 33, 1, true },    // 3x3/2, ow = 17: one column past the first panel
        { 4, 8, 5, 2, 20, 32, 1, false },    // four channels, ow = 16 exactly
        { 4, 7, 4, 1, 15, 40, 1, true },     // even kernel, odd rows
        { 3, 6, 7, 0, 11, 50, 1, true },     // no padding
        { 3, 9, 3, 3, 5, 7, 1, true },       // padding past the kernel: whole rows and columns of zeros
        { 3, 6, 7, 3, 1, 1, 1, true },       // 1x1 image: one output, all but one tap padding
        { 2, 4, 1, 0, 6, 31, 1, true },      // 1x1 stride 2
        { 3, 17, 7, 3, 30, 255, 1, true },   // ow = 128: eight panels, input row width odd
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(int cin, int cout, int k, int pad, int h, int w, int n, bool residualRelu) =>
        Run(ConvSpec.Square(cin, cout, k, stride: 2, pad: pad), n, h, w, residualRelu);

    [Fact]
    public void RandomShapesMatchReference()
    {
        var rng = new Random(2024);
        for (int i = 0; i < 40; i++)
        {
            int cin = rng.Next(1, 5), kh = rng.Next(1, 8), kw = rng.Next(1, 8);
            var s = new ConvSpec(cin, rng.Next(1, 20), kh, kw, StrideH: rng.Next(1, 4), StrideW: 2, PadH: rng.Next(0, kh), PadW: rng.Next(0, kw));
            int h = rng.Next(Math.Max(1, kh - 2 * s.PadH), 40), w = rng.Next(Math.Max(1, kw - 2 * s.PadW), 80);
            Run(s, rng.Next(1, 3), h, w, rng.Next(2) == 1);
        }
    }

    [Theory]
    [InlineData(3, 64, 7, 3, 50, 77, true)]
    [InlineData(4, 11, 3, 1, 23, 40, false)]
    [InlineData(1, 6, 6, 2, 19, 19, true)]
    public void SameBitsAsTheIm2colGemm(int cin, int cout, int k, int pad, int h, int w, bool residualRelu)
    {
        var s = ConvSpec.Square(cin, cout, k, stride: 2, pad: pad);
        int oh = s.OutH(h), ow = s.OutW(w);
        var rng = new Random(cin + cout + h + w);
        var x = RandomData.Floats(rng, RandomData.Count(1, cin, h, w));
        var wt = RandomData.Floats(rng, s.WeightCount);
        var bias = RandomData.Floats(rng, cout);
        var res = RandomData.Floats(rng, RandomData.Count(1, cout, oh, ow));
        using var b = new CpuBackend();
        using var conv = (CpuConv)b.PrepareConv(s, wt, bias, []);
        using var xt = b.Upload<float>(x, 1, cin, h, w);
        using var rt = b.Upload<float>(res, 1, cout, oh, ow);
        float[] Once(ConvAlgorithm algorithm)
        {
            conv.Algorithm = algorithm;
            using var y = b.Allocate(DType.Float32, 1, cout, oh, ow);
            b.Conv2d(conv, xt, y, residualRelu ? rt : null, residualRelu);
            var v = new float[cout * oh * ow];
            b.Download<float>(y, v);
            return v;
        }
        var gemm = Once(ConvAlgorithm.Gemm);
        var phase = Once(ConvAlgorithm.PhaseGemm);
        Assert.True(CpuBackend.UsePhaseGemm(conv));
        for (int i = 0; i < gemm.Length; i++)
            if (BitConverter.SingleToInt32Bits(gemm[i]) != BitConverter.SingleToInt32Bits(phase[i]))
                Assert.Fail($"element {i}: GEMM {gemm[i]:R}, phase-split GEMM {phase[i]:R}");
        Assert.Equal(phase, Once(ConvAlgorithm.PhaseGemm));
    }

    [Theory]
    [InlineData(1, 0, 8)]
    [InlineData(2, 1, 9)]
    [InlineData(17, 2, 16)]
    [InlineData(40, 0, 24)]
    [InlineData(37, 2, 32)]
    [InlineData(1216, 2, 624)]
    [InlineData(40, -3, 16)]  // a split that starts inside the row
    [InlineData(336, -80, 96)]
    [InlineData(21, 13, 24)]  // the row ends inside the first vector's reach
    [InlineData(33, 1, 27)]
    public void SplitMatchesPlainLoop(int w, int lead, int len)
    {
        var row = Enumerable.Range(0, w).Select(i => i + 1f).ToArray();
        var even = new float[len];
        var odd = new float[len];
        fixed (float* r = row, e = even, o = odd)
            ConvPhaseGemm.Split(e, o, r, w, lead, len);
        for (int i = 0; i < len; i++)
        {
            int ix = 2 * (i - lead);
            Assert.Equal(ix >= 0 && ix < w ? row[ix] : 0f, even[i]);
            Assert.Equal(ix + 1 >= 0 && ix + 1 < w ? row[ix + 1] : 0f, odd[i]);
        }
        fixed (float* e = even, o = odd)
            ConvPhaseGemm.Split(e, o, null, w, lead, len);
        Assert.All(even.Concat(odd), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void AutoPicksThePhaseGemmForFewChannelsAtStrideTwo()
    {
        using var b = new CpuBackend();
        CpuConv Make(ConvSpec s) => (CpuConv)b.PrepareConv(s, new float[s.WeightCount], [], []);
        using var stem = Make(ConvSpec.Square(3, 64, 7, stride: 2, pad: 3));
        using var five = Make(ConvSpec.Square(5, 8, 3, stride: 2, pad: 1));
        using var s1 = Make(ConvSpec.Square(3, 8, 7, pad: 3));
        using var dilated = Make(ConvSpec.Square(3, 8, 3, stride: 2, pad: 2, dilation: 2));
        using var deep = Make(ConvSpec.Square(11, 8, 7, stride: 2, pad: 3)); // K = 539 > ConvGemm.KC
        Assert.True(CpuBackend.UsePhaseGemm(stem));
        Assert.False(CpuBackend.UsePhaseGemm(five));
        Assert.False(CpuBackend.UsePhaseGemm(s1));
        Assert.False(CpuBackend.UsePhaseGemm(dilated));
        five.Algorithm = ConvAlgorithm.PhaseGemm;
        Assert.True(CpuBackend.UsePhaseGemm(five));
        deep.Algorithm = ConvAlgorithm.PhaseGemm;
        Assert.False(CpuBackend.UsePhaseGemm(deep));
        stem.Algorithm = ConvAlgorithm.Gemm;
        Assert.False(CpuBackend.UsePhaseGemm(stem));
        Assert.Equal(0, CpuBackend.WinogradTile(stem, 400, 608));
    }

    // The shared conv check (ConvAlgorithmTests), with the phase-split GEMM forced.
    private static void Run(ConvSpec s, int n, int h, int w, bool residualRelu) =>
        ConvAlgorithmTests.Run(ConvAlgorithm.PhaseGemm, s, n, h, w, residualRelu);
}
