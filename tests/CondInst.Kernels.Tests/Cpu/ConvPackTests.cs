namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// The im2col packing against a naive im2col, element for element: layout dst[(j / 16)·kc·16 + k·16 + j % 16],
/// zeros for padding and for columns past the block. Covers both packing orders (few or many channels per pass),
/// strides 1, 2 and 3, dilation, borders, chunks that span two output rows, and the pointwise copy.
/// </summary>
public sealed unsafe class ConvPackTests
{
    [Theory]
    [InlineData(3, 7, 2, 3, 1, 23, 41, 0, 100)]    // stem-like: panel order, stride-2 vector gathers
    [InlineData(40, 3, 1, 1, 1, 9, 29, 5, 77)]     // many channels: row order, chunks across output rows
    [InlineData(40, 3, 2, 1, 1, 30, 50, 16, 64)]   // row order, stride 2
    [InlineData(6, 3, 3, 0, 1, 20, 31, 3, 45)]     // stride 3: element-wise gathers
    [InlineData(5, 3, 1, 2, 2, 12, 19, 0, 200)]    // dilation 2, padding 2
    public void Im2colMatchesNaive(int cin, int k, int stride, int pad, int dil, int h, int w, int j0, int nc)
    {
        var g = new ConvGeometry(h, w, OW(w, k, stride, pad, dil), OW(h, k, stride, pad, dil) * OW(w, k, stride, pad, dil), k, k, stride, stride, pad, pad, dil, dil);
        nc = Math.Min(nc, g.N - j0);
        int kTotal = cin * k * k;
        var rng = new Random(cin + k + h + w);
        var x = Enumerable.Range(0, cin * h * w).Select(_ => (float)rng.NextDouble() + 1f).ToArray();
        for (int k0 = 0; k0 < kTotal; k0 += 256)
        {
            int kc = Math.Min(256, kTotal - k0), ncPad = (nc + 15) / 16 * 16;
            var dst = new float[kc * ncPad];
            var info = new int[ncPad / 4 + 3 * kc];
            fixed (float* xp = x, dp = dst)
            fixed (int* ip = info)
            {
                ConvPack.Chunks(ip, j0, nc, ncPad, g);
                ConvPack.Im2col(dp, xp, k0, kc, j0 + nc, ncPad, ip, ip + ncPad / 4, g);
            }
            for (int kk = 0; kk < kc; kk++)
                for (int j = 0; j < ncPad; j++)
                {
                    float want = j < nc ? Naive(x, g, k0 + kk, j0 + j) : 0f;
                    float got = dst[(j / 16) * kc * 16 + kk * 16 + j % 16];
                    if (got != want) Assert.Fail($"k={k0 + kk} column {j0 + j}: packed {got}, im2col {want}");
                }
        }
    }

    [Fact]
    public void PointwiseCopyMatchesNaive()
    {
        int kTotal = 37, n = 91, j0 = 16, nc = 61, ncPad = 64;
        var x = Enumerable.Range(0, kTotal * n).Select(i => (float)i).ToArray();
        var dst = new float[kTotal * ncPad];
        fixed (float* xp = x, dp = dst) ConvPack.Pointwise(dp, xp, n, 0, kTotal, j0, nc, ncPad);
        for (int kk = 0; kk < kTotal; kk++)
            for (int j = 0; j < ncPad; j++)
                Assert.Equal(j < nc ? x[kk * n + j0 + j] : 0f, dst[(j / 16) * kTotal * 16 + kk * 16 + j % 16]);
    }

    private static int OW(int size, int k, int s, int p, int d) => (size + 2 * p - d * (k - 1) - 1) / s + 1;

    private static float Naive(float[] x, ConvGeometry g, int k, int j)
    {
        int ci = k / (g.KH * g.KW), r = k % (g.KH * g.KW), ky = r / g.KW, kx = r % g.KW;
        int oy = j / g.OW, ox = j % g.OW;
        int iy = oy * g.SH - g.PH + ky * g.DH, ix = ox * g.SW - g.PW + kx * g.DW;
        return iy < 0 || iy >= g.H || ix < 0 || ix >= g.W ? 0f : x[(ci * g.H + iy) * g.W + ix];
    }
}
