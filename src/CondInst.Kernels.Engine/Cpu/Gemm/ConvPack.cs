using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondInst.Kernels;

/// <summary>Input and output geometry of one convolution call, as the packing routines need it.</summary>
internal readonly record struct ConvGeometry(int H, int W, int OW, int N, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW)
{
    /// <summary>A 1x1, stride-1, unpadded convolution reads the input itself as the GEMM's B matrix.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;
}

/// <summary>
/// Packs the GEMM's B operand (the im2col matrix, never stored whole) into micro-kernel panels.
/// B[k, j] for k = (ci·KH + ky)·KW + kx and output pixel j = oy·OW + ox is x[ci, oy·SH - PH + ky·DH, ox·SW - PW + kx·DW]
/// (zero outside the image). Packed layout of a block of kc rows and ncPad columns:
/// dst[(j / 16)·kc·16 + k·16 + j % 16], columns past the real ones zero.
/// </summary>
internal static unsafe class ConvPack
{
    private const int NR = GemmKernel.NR;

    /// <summary>
    /// Describes the 8-column chunks of columns [j0, j0 + nc) for <see cref="Im2col"/>: info[2q] = oy and
    /// info[2q+1] = ox of the chunk's first column when all 8 columns lie in one output row, else info[2q] = -1
    /// and info[2q+1] = the chunk's first column (handled one by one).
    /// </summary>
    public static void Chunks(int* info, int j0, int nc, int ncPad, in ConvGeometry g)
    {
        for (int q = 0; q < ncPad / 8; q++)
        {
            int j = j0 + 8 * q, oy = j / g.OW, ox = j - oy * g.OW;
            bool whole = 8 * q + 8 <= nc && ox + 8 <= g.OW;
            info[2 * q] = whole ? oy : -1;
            info[2 * q + 1] = whole ? ox : j;
        }
    }

    /// <summary>Packs rows [k0, k0 + kc) of the im2col matrix for the columns described by <paramref name="info"/>.</summary>
    public static void Im2col(float* dst, float* xg, int k0, int kc, int jEnd, int ncPad, int* info, in ConvGeometry g)
    {
        int khw = g.KH * g.KW, nq = ncPad / 8;
        long plane = (long)g.H * g.W;
        for (int kk = 0; kk < kc; kk++)
        {
            int k = k0 + kk, ci = k / khw, r = k - ci * khw, ky = r / g.KW, kx = r - ky * g.KW;
            float* xc = xg + ci * plane;
            int dy = ky * g.DH - g.PH, dx = kx * g.DW - g.PW;
            float* drow = dst + kk * NR;
            for (int q = 0; q < nq; q++)
            {
                float* d = drow + (q >> 1) * kc * NR + (q & 1) * 8;
                int oy = info[2 * q];
                if (oy >= 0)
                {
                    int iy = oy * g.SH + dy;
                    if ((uint)iy >= (uint)g.H)
                    {
                        Vector256<float>.Zero.Store(d);
                        continue;
                    }
                    float* s = xc + (long)iy * g.W;
                    int ix = info[2 * q + 1] * g.SW + dx;
                    if (g.SW == 1 && ix >= 0 && ix + 8 <= g.W)
                        Vector256.Load(s + ix).Store(d);
                    else if (g.SW == 2 && ix >= 0 && ix + 16 <= g.W)
                        EvenLanes(s + ix).Store(d);
                    else
                        for (int e = 0; e < 8; e++)
                        {
                            int xx = ix + e * g.SW;
                            d[e] = (uint)xx < (uint)g.W ? s[xx] : 0f;
                        }
                }
                else
                {
                    int j = info[2 * q + 1];
                    for (int e = 0; e < 8; e++, j++)
                    {
                        float v = 0f;
                        if (j < jEnd)
                        {
                            int py = j / g.OW, px = j - py * g.OW;
                            int iy = py * g.SH + dy, ix = px * g.SW + dx;
                            if ((uint)iy < (uint)g.H && (uint)ix < (uint)g.W) v = xc[(long)iy * g.W + ix];
                        }
                        d[e] = v;
                    }
                }
            }
        }
    }

    // s[0], s[2], ..., s[14]: the stride-2 gather as two loads and a shuffle.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> EvenLanes(float* s)
    {
        var a = Vector256.Load(s);
        var b = Vector256.Load(s + 8);
        if (Avx2.IsSupported)
            return Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        return Vector256.Create(s[0], s[2], s[4], s[6], s[8], s[10], s[12], s[14]);
    }

    /// <summary>
    /// Packs rows [k0, k0 + kc) of a pointwise convolution's B = x viewed as [K, N] (row stride <paramref name="ldx"/>),
    /// columns [j0, j0 + nc): a plain panel copy.
    /// </summary>
    public static void Pointwise(float* dst, float* xg, long ldx, int k0, int kc, int j0, int nc, int ncPad)
    {
        int full = nc / NR;
        for (int kk = 0; kk < kc; kk++)
        {
            float* s = xg + (k0 + kk) * ldx + j0;
            float* d = dst + kk * NR;
            for (int p = 0; p < full; p++, s += NR, d += kc * NR)
            {
                Vector256.Load(s).Store(d);
                Vector256.Load(s + 8).Store(d + 8);
            }
            if (full * NR < ncPad)
            {
                int rest = nc - full * NR;
                for (int e = 0; e < NR; e++) d[e] = e < rest ? s[e] : 0f;
            }
        }
    }
}
