using CondInst.Kernels.Tests.Harness;
using CondInst.Kernels.Tests.Ops;

namespace CondInst.Kernels.Tests.Ilgpu;

/// <summary>
/// Both convolution implementations of the ILGPU backend on shapes the automatic choice would not send them:
/// the tiled GEMM on ragged tiles (M, N and K tails), groups, strides, dilation, padding-only windows and
/// batches; the direct kernel on a channel-heavy layer. Runs on every ILGPU backend present (the simulator always;
/// OpenCL and CUDA where a device exists).
/// </summary>
public sealed class IlgpuConvPathTests
{
    private const string Id = "ilgpu-cpu";

    public static readonly ConvOpTests.Case[] GemmCases =
    [
        new(1, 1, 1, ConvSpec.Square(3, 5, 1), true, false, false, false),                        // one pixel, one channel row of a tile
        new(1, 1, 1, ConvSpec.Square(4, 6, 3, pad: 1), true, true, true, true),                    // every tap is padding but the centre
        new(2, 13, 11, ConvSpec.Square(17, 33, 3, pad: 1), true, true, true, true),                // K = 153: a partial last K chunk
        new(1, 12, 12, ConvSpec.Square(8, 12, 3, pad: 1, groups: 4), true, true, true, true),      // groups: one z-slice per (image, group)
        new(1, 9, 7, ConvSpec.Square(6, 6, 3, pad: 1, groups: 6), false, false, false, true),      // depthwise through the GEMM
        new(1, 11, 9, ConvSpec.Square(5, 7, 3, pad: 2, dilation: 2), true, false, false, false),   // dilation
        new(1, 5, 6, new ConvSpec(5, 7, 1, 3, 1, 2, 0, 1), true, false, false, false),             // rectangular kernel, uneven strides
        new(1, 17, 19, ConvSpec.Square(3, 16, 7, stride: 2, pad: 3), false, true, false, true),    // stem-like
        new(2, 12, 12, ConvSpec.Square(20, 130, 1), false, true, true, false),                     // two M tiles, M tail of 2
        new(1, 12, 23, ConvSpec.Square(9, 16, 3, stride: 1, pad: 1), true, false, false, false),   // 276 pixels: three N tiles
    ];

    public static TheoryData<string, int> GemmRows()
    {
        var rows = new TheoryData<string, int>();
        foreach (string backend in TestBackends.IlgpuIds)
            for (int i = 0; i < GemmCases.Length; i++) rows.Add(backend, i);
        return rows;
    }

    public static TheoryData<string> Backends => TestBackends.Ilgpu;

    [Theory]
    [MemberData(nameof(GemmRows))]
    public void TiledGemmMatchesReference(string backend, int index) => RunForced(backend, ConvPath.Gemm, GemmCases[index], index);

    [Theory]
    [MemberData(nameof(Backends))]
    public void DirectKernelMatchesReferenceOnChannelHeavyLayer(string backend) =>
        RunForced(backend, ConvPath.Direct, new ConvOpTests.Case(1, 6, 5, ConvSpec.Square(48, 40, 3, pad: 1), true, true, true, true), 99);

    [Fact]
    public void AutomaticChoiceSendsLayersToTheRightKernel()
    {
        TestBackends.With(Id, b =>
        {
            var ib = (IlgpuBackend)b;
            Assert.Equal(ConvPath.Gemm, Path(ib, ConvSpec.Square(64, 80, 3, pad: 1)));
            Assert.Equal(ConvPath.Gemm, Path(ib, ConvSpec.Square(256, 256, 1)));
            Assert.Equal(ConvPath.Direct, Path(ib, ConvSpec.Square(32, 32, 3, pad: 1, groups: 32)));
            Assert.Equal(ConvPath.Direct, Path(ib, ConvSpec.Square(256, 1, 3, pad: 1)));
        });
    }

    private static ConvPath Path(IlgpuBackend b, ConvSpec spec)
    {
        using var conv = b.PrepareConv(spec, new float[spec.WeightCount], [], []);
        return IlgpuBackend.PathOf(conv);
    }

    private static void RunForced(string backend, ConvPath path, ConvOpTests.Case c, int seed)
    {
        var s = c.Spec;
        var rng = new Random(seed + 1000);
        int oh = s.OutH(c.H), ow = s.OutW(c.W);
        var x = RandomData.Floats(rng, RandomData.Count(c.N, s.InChannels, c.H, c.W));
        var w = RandomData.Floats(rng, s.WeightCount);
        var bias = c.Bias ? RandomData.Floats(rng, s.OutChannels) : [];
        var scale = c.Scale ? RandomData.Floats(rng, s.OutChannels, 0.5f, 2f) : [];
        var res = c.Residual ? RandomData.Floats(rng, RandomData.Count(c.N, s.OutChannels, oh, ow)) : null;
        TestBackends.With(backend, b =>
        {
            var ib = (IlgpuBackend)b;
            ib.ForceConvPath = path;
            try
            {
                OpHarness.Check(backend, $"{path}: {c}", sc =>
                {
                    var conv = sc.Track(sc.B.PrepareConv(s, w, bias, scale));
                    var y = sc.Out(DType.Float32, c.N, s.OutChannels, oh, ow);
                    var r = res is null ? null : sc.Up(res, c.N, s.OutChannels, oh, ow);
                    sc.B.Conv2d(conv, sc.Up(x, c.N, s.InChannels, c.H, c.W), y, r, c.Relu);
                    return [y];
                }, Tolerance.Reordered);
            }
            finally
            {
                ib.ForceConvPath = null;
            }
        });
    }
}
