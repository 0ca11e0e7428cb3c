using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// The im2col GEMM packing B from column phases (<see cref="ConvPhasePack"/>, stride 2 across, any K): forced on
/// fixed edge cases and random shapes against the reference, bit for bit against the plain im2col GEMM (same
/// passes, same kernel, same k order), and the dispatch rule.
/// </summary>
public sealed unsafe class ConvPhasePackTests
{
    public static TheoryData<int, int, int, int, int, int, int, bool> Cases => new()
    {
        // cin, cout, kernel, pad, h, w, batch, residual+relu
        { 57, 13, 3, 1, 23, 41, 1, true },    // K = 513: a second pass of one row; ow = 21 (chunks across rows)
        { 60, 8, 3, 1, 30, 66, 2, false },    // K = 540, two images, ow = 33
        { 120, 20, 3, 1, 17, 35, 1, true },   // K = 1080: three passes (512, 512, 56), odd sizes
        { 128, 12, 3, 1, 40, 64, 1, true },   // K = 1152, ow = 32: every panel in one output row
        { 64, 7, 3, 1, 9, 13, 2, true },      // ow = 7: chunks over three output rows (column by column)
        { 64, 6, 3, 1, 21, 19, 1, false },    // ow = 10: chunks over two rows, 8 < ow < 16
        { 30, 9, 5, 2, 19, 27, 1, true },     // 5x5: K = 750, pass boundary inside a channel
        { 12, 5, 7, 3, 25, 31, 1, true },     // 7x7: K = 588
        { 100, 11, 3, 0, 12, 25, 1, true },   // no padding
        { 80, 10, 2, 1, 14, 29, 1, true },    // even kernel, K = 320: one pass
        { 70, 6, 3, 1, 1, 1, 1, true },       // 1x1 image
        { 64, 16, 1, 0, 20, 37, 1, true },    // 1x1 stride 2 (the downsampling shape), ow = 19
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(int cin, int cout, int k, int pad, int h, int w, int n, bool residualRelu) =>
        Run(ConvSpec.Square(cin, cout, k, stride: 2, pad: pad), n, h, w, residualRelu);

    [Fact]
    public void RandomShapesMatchReference()
    {
        var rng = new Random(4051);
        for (int i = 0; i < 24; i++)
        {
            int kh = rng.Next(1, 6), kw = rng.Next(1, 6), cin = rng.Next(1, 1600 / (kh * kw) + 2);
            var s = new ConvSpec(cin, rng.Next(1, 30), kh, kw, StrideH: rng.Next(1, 4), StrideW: 2, PadH: rng.Next(0, kh), PadW: rng.Next(0, kw));
            int h = rng.Next(Math.Max(1, kh - 2 * s.PadH), 30), w = rng.Next(Math.Max(1, kw - 2 * s.PadW), 60);
            Run(s, rng.Next(1, 3), h, w, rng.Next(2) == 1);
        }
    }

    [Theory]
    [InlineData(128, 24, 3, 1, 40, 67, 1, true)]   // three passes, ow = 34
    [InlineData(256, 13, 3, 1, 14, 22, 2, true)]   // five passes, few columns: output channels split over the cores
    [InlineData(57, 64, 3, 1, 31, 50, 1, false)]   // a one-row last pass
    [InlineData(40, 9, 5, 2, 13, 9, 1, true)]      // ow = 5: column by column
    [InlineData(3, 64, 7, 3, 50, 77, 1, true)]     // one pass: also forced through the phase-packed GEMM
    public void SameBitsAsTheIm2colGemm(int cin, int cout, int k, int pad, int h, int w, int n, bool residualRelu)
    {
        var s = ConvSpec.Square(cin, cout, k, stride: 2, pad: pad);
        int oh = s.OutH(h), ow = s.OutW(w);
        var rng = new Random(cin + cout + h + w);
        var x = RandomData.Floats(rng, RandomData.Count(n, cin, h, w));
        var wt = RandomData.Floats(rng, s.WeightCount);
        var bias = RandomData.Floats(rng, cout);
        var res = RandomData.Floats(rng, RandomData.Count(n, cout, oh, ow));
        using var b = new CpuBackend();
        using var conv = (CpuConv)b.PrepareConv(s, wt, bias, []);
        using var xt = b.Upload<float>(x, n, cin, h, w);
        using var rt = b.Upload<float>(res, n, cout, oh, ow);
        float[] Once(bool phase)
        {
            var v = new float[n * cout * oh * ow];
            fixed (float* xp = x, rp = res)
            fixed (float* yp = v)
            {
                conv.Job ??= new ConvGemm();
                conv.Job.Run(conv, xp, yp, residualRelu ? rp : null, residualRelu, n, h, w, oh, ow, phase);
            }
            return v;
        }
        var gemm = Once(false);
        var phase = Once(true);
        for (int i = 0; i < gemm.Length; i++)
            if (BitConverter.SingleToInt32Bits(gemm[i]) != BitConverter.SingleToInt32Bits(phase[i]))
                Assert.Fail($"element {i}: GEMM {gemm[i]:R}, phase-packed GEMM {phase[i]:R}");
        Assert.Equal(phase, Once(true));
        if (s.InChannels * s.KernelH * s.KernelW > ConvGemm.KC)
        {
            // Through the backend: forcing the phase algorithm on a K past one pass takes this path.
            conv.Algorithm = ConvAlgorithm.PhaseGemm;
            Assert.True(CpuBackend.UsePhasePack(conv));
            using var y = b.Allocate(DType.Float32, n, cout, oh, ow);
            b.Conv2d(conv, xt, y, residualRelu ? rt : null, residualRelu);
            var v = new float[gemm.Length];
            b.Download<float>(y, v);
            Assert.Equal(gemm, v);
        }
    }

    [Fact]
    public void DispatchRule()
    {
        using var b = new CpuBackend();
        CpuConv Make(ConvSpec s) => (CpuConv)b.PrepareConv(s, new float[s.WeightCount], [], []);
        using var stem = Make(ConvSpec.Square(3, 64, 7, stride: 2, pad: 3));
        using var s2 = Make(ConvSpec.Square(128, 128, 3, stride: 2, pad: 1));
        using var s1 = Make(ConvSpec.Square(128, 128, 3, pad: 1));
        using var dilated = Make(ConvSpec.Square(128, 8, 3, stride: 2, pad: 2, dilation: 2));
        using var grouped = Make(new ConvSpec(128, 128, 3, 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, Groups: 2));
        using var few = Make(ConvSpec.Square(64, 64, 3, stride: 2, pad: 1));
        using var p6 = Make(ConvSpec.Square(256, 256, 3, stride: 2, pad: 1));
        using var wide = Make(ConvSpec.Square(512, 512, 3, stride: 2, pad: 1));
        using var pointwise = Make(ConvSpec.Square(256, 512, 1, stride: 2));
        Assert.False(CpuBackend.UsePhasePack(stem)); // the one-pass phase-split GEMM takes it
        Assert.True(CpuBackend.UsePhasePack(s2));
        Assert.True(CpuBackend.UsePhasePack(p6));
        Assert.False(CpuBackend.UsePhasePack(wide)); // gained under 5 %
        Assert.False(CpuBackend.UsePhasePack(few)); // below the measured channel counts
        Assert.False(CpuBackend.UsePhasePack(pointwise)); // not measured
        Assert.False(CpuBackend.UsePhasePack(s1));
        Assert.False(CpuBackend.UsePhasePack(dilated));
        Assert.False(CpuBackend.UsePhasePack(grouped));
        foreach (var c in new[] { s1, dilated, grouped, stem })
        {
            c.Algorithm = ConvAlgorithm.PhaseGemm;
            Assert.False(CpuBackend.UsePhasePack(c));
        }
        few.Algorithm = ConvAlgorithm.PhaseGemm;
        Assert.True(CpuBackend.UsePhasePack(few));
        wide.Algorithm = ConvAlgorithm.PhaseGemm;
        Assert.True(CpuBackend.UsePhasePack(wide));
        s2.Algorithm = ConvAlgorithm.Gemm;
        Assert.False(CpuBackend.UsePhasePack(s2));
        Assert.Equal(0, CpuBackend.WinogradTile(s2, 100, 168));
    }

    // The shared conv check (ConvAlgorithmTests), with the phase algorithm forced: the phase-split GEMM where K fits
    // one pass, else the im2col GEMM packing B from phases.
    private static void Run(ConvSpec s, int n, int h, int w, bool residualRelu) =>
        ConvAlgorithmTests.Run(ConvAlgorithm.PhaseGemm, s, n, h, w, residualRelu);
}
