using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// The CPU backend's convolution algorithms forced one by one (the shape-based choice would route most small test
/// shapes to the im2col GEMM): Winograd tile edges, border windows, several channel passes, the epilogue; GEMM
/// row/column edge tiles, several K passes and column blocks.
/// </summary>
public sealed class ConvAlgorithmTests
{
    public static TheoryData<int, int, int, int, int, int, bool> WinogradCases => new()
    {
        // cin, cout, h, w, pad, batch, residual+relu
        { 8, 6, 4, 4, 1, 1, false },       // one tile row, chunks past the last tile
        { 5, 7, 9, 11, 1, 2, true },       // odd output sizes: half tiles on the right and bottom
        { 16, 13, 20, 37, 1, 1, true },    // 8-tile chunks across row ends and at both borders
        { 12, 20, 21, 40, 0, 1, false },   // no padding
        { 6, 8, 10, 45, 2, 1, true },      // padding 2
        { 300, 9, 6, 19, 1, 1, true },     // two channel passes (accumulating)
        { 32, 64, 33, 70, 1, 1, true },    // several tile blocks, interior fast path
        { 3, 5, 1, 1, 1, 1, true },        // 1x1 image: one tile, all but one input element padding
        { 4, 6, 2, 2, 1, 2, false },       // 2x2 image
        { 7, 11, 3, 3, 0, 1, true },       // one output pixel, no padding
        { 9, 8, 42, 38, 1, 1, true },      // sizes not multiples of 4: a 2-row, 2-column rim of F(4x4) tiles
        { 8, 12, 13, 77, 1, 1, false },    // F(4x4): a fast 8-tile group then a row end; output rows 12 of 13
        { 16, 7, 30, 150, 1, 1, true },    // F(4x4): several interior groups per row, all border kinds
    };

    [Theory]
    [MemberData(nameof(WinogradCases))]
    public void Winograd2MatchesReference(int cin, int cout, int h, int w, int pad, int n, bool residualRelu) =>
        Run(ConvAlgorithm.Winograd2, ConvSpec.Square(cin, cout, 3, pad: pad), n, h, w, residualRelu);

    [Theory]
    [MemberData(nameof(WinogradCases))]
    public void Winograd4MatchesReference(int cin, int cout, int h, int w, int pad, int n, bool residualRelu) =>
        Run(ConvAlgorithm.Winograd4, ConvSpec.Square(cin, cout, 3, pad: pad), n, h, w, residualRelu);

    [Fact]
    public void AutoPicksTheTileBySize()
    {
        using var b = new CpuBackend();
        using var c = (CpuConv)b.PrepareConv(ConvSpec.Square(4, 16, 3, pad: 1), new float[576], [], []);
        using var narrow = (CpuConv)b.PrepareConv(ConvSpec.Square(4, 4, 3, pad: 1), new float[144], [], []);
        using var deep = (CpuConv)b.PrepareConv(ConvSpec.Square(512, 16, 3, pad: 1), new float[512 * 16 * 9], [], []);
        if (!ConvWinograd.Supported)
        {
            Assert.Equal(0, CpuBackend.WinogradTile(c, 100, 152)); // no AVX2 + FMA: the GEMM only
            return;
        }
        Assert.Equal(4, CpuBackend.WinogradTile(c, 100, 152)); // 950 4x4 tiles
        Assert.Equal(2, CpuBackend.WinogradTile(c, 50, 76));   // 247 4x4 tiles, 950 2x2 tiles
        Assert.Equal(2, CpuBackend.WinogradTile(narrow, 100, 152));
        Assert.Equal(0, CpuBackend.WinogradTile(c, 13, 19));   // 70 2x2 tiles
        Assert.Equal(0, CpuBackend.WinogradTile(deep, 100, 152)); // more than 256 input channels
        deep.Algorithm = ConvAlgorithm.Winograd2;
        Assert.Equal(2, CpuBackend.WinogradTile(deep, 100, 152));
        c.Algorithm = ConvAlgorithm.Winograd2;
        Assert.Equal(2, CpuBackend.WinogradTile(c, 100, 152));
        c.Algorithm = ConvAlgorithm.Winograd4;
        Assert.Equal(4, CpuBackend.WinogradTile(c, 13, 19));
        c.Algorithm = ConvAlgorithm.Gemm;
        Assert.Equal(0, CpuBackend.WinogradTile(c, 100, 152));
    }

    // Multi-pass cases need K > ConvGemm.KC.
    public static TheoryData<int, int, int, int, int, int, int> GemmCases => new()
    {
        // cin, cout, k, stride, pad, h, w
        { 600, 7, 1, 1, 0, 9, 23 },      // pointwise with two K passes (K > ConvGemm.KC), partial row and column panels
        { 64, 13, 3, 1, 1, 30, 41 },     // 3x3 through the GEMM (K = 576: two passes)
        { 160, 9, 3, 2, 1, 17, 26 },     // strided 3x3, K = 1440: three passes
        { 3, 64, 7, 2, 3, 64, 90 },      // stem-like, strided gathers, many column blocks
        { 64, 19, 1, 2, 0, 31, 33 },     // strided pointwise
    };

    [Theory]
    [MemberData(nameof(GemmCases))]
    public void GemmMatchesReference(int cin, int cout, int k, int stride, int pad, int h, int w) =>
        Run(ConvAlgorithm.Gemm, ConvSpec.Square(cin, cout, k, stride, pad), 1, h, w, residualRelu: true);

    [Fact]
    public void WinogradIsChosenOnlyWhereItApplies()
    {
        using var b = new CpuBackend();
        using var c3 = (CpuConv)b.PrepareConv(ConvSpec.Square(4, 4, 3, pad: 1), new float[144], [], []);
        using var c3s2 = (CpuConv)b.PrepareConv(ConvSpec.Square(4, 4, 3, stride: 2, pad: 1), new float[144], [], []);
        using var c3d2 = (CpuConv)b.PrepareConv(ConvSpec.Square(4, 4, 3, pad: 2, dilation: 2), new float[144], [], []);
        using var c1 = (CpuConv)b.PrepareConv(ConvSpec.Square(4, 4, 1), new float[16], [], []);
        Assert.Equal(ConvWinograd.Supported, c3.HasWinograd);
        Assert.False(c3s2.HasWinograd);
        Assert.False(c3d2.HasWinograd);
        Assert.False(c1.HasWinograd);
    }

    internal static void Run(ConvAlgorithm algorithm, ConvSpec s, int n, int h, int w, bool residualRelu)
    {
        var rng = new Random(s.InChannels * 31 + s.OutChannels + h * 7 + w);
        int oh = s.OutH(h), ow = s.OutW(w);
        var x = RandomData.Floats(rng, RandomData.Count(n, s.InChannels, h, w));
        var wt = RandomData.Floats(rng, s.WeightCount);
        var bias = RandomData.Floats(rng, s.OutChannels);
        var scale = RandomData.Floats(rng, s.OutChannels, 0.5f, 2f);
        var res = RandomData.Floats(rng, RandomData.Count(n, s.OutChannels, oh, ow));
        OpHarness.Check("cpu", $"{algorithm} conv {s} n={n} in {h}x{w} residual+relu={residualRelu}", sc =>
        {
            var conv = sc.Track(sc.B.PrepareConv(s, wt, bias, scale));
            if (conv is CpuConv cpu)
            {
                if (algorithm is ConvAlgorithm.Winograd2 or ConvAlgorithm.Winograd4) Assert.True(cpu.HasWinograd || !ConvWinograd.Supported);
                cpu.Algorithm = algorithm;
                if (algorithm == ConvAlgorithm.PhaseGemm) Assert.True(CpuBackend.UsePhaseGemm(cpu) || CpuBackend.UsePhasePack(cpu));
            }
            var y = sc.Out(DType.Float32, n, s.OutChannels, oh, ow);
            var r = residualRelu ? sc.Up(res, n, s.OutChannels, oh, ow) : null;
            sc.B.Conv2d(conv, sc.Up(x, n, s.InChannels, h, w), y, r, residualRelu);
            return [y];
        }, Tolerance.Reordered);
    }
}
