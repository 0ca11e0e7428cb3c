using System.Runtime.Intrinsics.X86;
using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// The AVX-512 micro-kernel (<see cref="GemmKernel.Kernel12x16"/>, two row panels per B panel) against the AVX2
/// <see cref="GemmKernel.Kernel6x16"/>, bit for bit: on random panels in every store mode (bias, residual, ReLU), and
/// through whole convolutions (im2col GEMM with edge tiles and odd panel counts, Winograd) with the switch
/// <see cref="GemmKernel.UseAvx512"/> off and on. Results must not depend on the CPU. On hosts without AVX-512 the
/// switch must stay off.
/// </summary>
public sealed unsafe class GemmKernelAvx512Tests
{
    private const int MR = GemmKernel.MR, NR = GemmKernel.NR;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(512)]
    public void Kernel12x16MatchesTwo6x16CallsBitForBit(int kc)
    {
        if (!Avx512F.IsSupported)
        {
            GemmKernel.UseAvx512 = true;
            Assert.False(GemmKernel.UseAvx512, "the AVX-512 switch turned on without AVX-512");
            return;
        }
        var rng = new Random(kc);
        const int ldc = 40; // wider than a tile: rows do not touch
        var a = Wide(rng, kc * MR);
        var a2 = Wide(rng, kc * MR);
        var b = Wide(rng, kc * NR);
        var bias = Wide(rng, 2 * MR);
        var residual = Wide(rng, 2 * MR * ldc);
        var c0 = Wide(rng, 2 * MR * ldc);
        TileStore[] modes =
        [
            TileStore.Overwrite, TileStore.Accumulate, TileStore.Finish, TileStore.Finish | TileStore.Relu,
            TileStore.Accumulate | TileStore.Finish, TileStore.Accumulate | TileStore.Finish | TileStore.Relu,
        ];
        foreach (var mode in modes)
            foreach (bool withResidual in new[] { false, true })
            {
                var want = (float[])c0.Clone();
                var got = (float[])c0.Clone();
                fixed (float* ap = a, a2p = a2, bp = b, biasp = bias, rp = residual, wp = want, gp = got)
                {
                    float* r = withResidual ? rp : null;
                    GemmKernel.Kernel6x16(kc, ap, bp, wp, ldc, mode, biasp, r);
                    GemmKernel.Kernel6x16(kc, a2p, bp, wp + MR * ldc, ldc, mode, biasp + MR, r == null ? null : r + MR * ldc);
                    GemmKernel.Kernel12x16(kc, ap, a2p, bp, gp, ldc, mode, biasp, biasp + MR, r);
                }
                for (int i = 0; i < want.Length; i++)
                    if (BitConverter.SingleToInt32Bits(want[i]) != BitConverter.SingleToInt32Bits(got[i]))
                        Assert.Fail($"kc={kc} {mode} residual={withResidual}: element {i / ldc},{i % ldc}: AVX2 {want[i]:R}, AVX-512 {got[i]:R}");
            }
    }

    public static TheoryData<int, int, int, int, int, int, int, int> ConvCases => new()
    {
        // cin, cout, k, stride, pad, h, w, Winograd tile (0: GEMM)
        { 600, 30, 1, 1, 0, 9, 23, 0 },    // two K passes, 5 row panels (one unpaired), edge columns
        { 64, 40, 3, 1, 1, 30, 41, 0 },    // 3x3, K = 576, last row panel partial (4 rows)
        { 160, 26, 3, 2, 1, 17, 26, 0 },   // strided 3x3, three K passes, partial last panel
        { 48, 36, 3, 1, 1, 22, 29, 2 },
        { 600, 30, 3, 1, 1, 13, 19, 4 }, // two K passes through Winograd, odd panel count
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void ConvolutionsAreBitIdenticalWithAndWithoutAvx512(int cin, int cout, int k, int stride, int pad, int h, int w, int winograd)
    {
        var s = ConvSpec.Square(cin, cout, k, stride, pad);
        var algorithm = winograd switch { 2 => ConvAlgorithm.Winograd2, 4 => ConvAlgorithm.Winograd4, _ => ConvAlgorithm.Gemm };
        var rng = new Random(cin + cout + h);
        int oh = s.OutH(h), ow = s.OutW(w);
        var x = RandomData.Floats(rng, RandomData.Count(1, cin, h, w));
        var wt = RandomData.Floats(rng, s.WeightCount);
        var bias = RandomData.Floats(rng, cout);
        var res = RandomData.Floats(rng, RandomData.Count(1, cout, oh, ow));
        using var backend = new CpuBackend();
        using var conv = (CpuConv)backend.PrepareConv(s, wt, bias, []);
        if (algorithm != ConvAlgorithm.Gemm && !conv.HasWinograd) return;
        conv.Algorithm = algorithm;
        using var xt = backend.Upload<float>(x, 1, cin, h, w);
        using var rt = backend.Upload<float>(res, 1, cout, oh, ow);
        float[] Run(bool avx512)
        {
            bool saved = GemmKernel.UseAvx512;
            GemmKernel.UseAvx512 = avx512;
            try
            {
                using var y = backend.Allocate(DType.Float32, 1, cout, oh, ow);
                backend.Conv2d(conv, xt, y, rt, relu: true);
                var o = new float[cout * oh * ow];
                backend.Download<float>(y, o);
                return o;
            }
            finally
            {
                GemmKernel.UseAvx512 = saved;
            }
        }
        var avx2 = Run(false);
        var avx512 = Run(true);
        for (int i = 0; i < avx2.Length; i++)
            if (BitConverter.SingleToInt32Bits(avx2[i]) != BitConverter.SingleToInt32Bits(avx512[i]))
                Assert.Fail($"{algorithm} {s} at {i}: AVX2 path {avx2[i]:R}, AVX-512 path {avx512[i]:R}");
    }

    // Values over several binades, so that the rounding of every FMA matters.
    private static float[] Wide(Random rng, int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-6, 7)));
        return v;
    }
}
