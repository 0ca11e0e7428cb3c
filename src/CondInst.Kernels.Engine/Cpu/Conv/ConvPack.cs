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
    /// and info[2q+1] = the chunk's first column (handled one by one). Panel p's chunks are q = 2p, 2p + 1.
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

    /// <summary>
    /// Packs rows [k0, k0 + kc) of the im2col matrix for the columns described by <paramref name="info"/>
    /// (<paramref name="ktab"/>: 3·kc ints of scratch). A pass over a few input channels with large kernels (the
    /// 7x7 stem) is packed panel by panel, which writes sequentially and rereads the same few input rows; a pass
    /// over many channels row by row, which keeps the reads within one input row at a time.
    /// </summary>
    public static void Im2col(float* dst, float* xg, int k0, int kc, int jEnd, int ncPad, int* info, int* ktab, in ConvGeometry geo)
    {
        if (kc > 4 * geo.KH * geo.KW) Rows(dst, xg, k0, kc, jEnd, ncPad, info, geo);
        else Panels(dst, xg, k0, kc, jEnd, ncPad, info, ktab, geo);
    }

    // Panel by panel; ktab[3·kk..] = (ci, ky·DH - PH, kx·DW - PW) of row k0 + kk.
    private static void Panels(float* dst, float* xg, int k0, int kc, int jEnd, int ncPad, int* info, int* ktab, in ConvGeometry geo)
    {
        var g = geo;
        int khw = g.KH * g.KW;
        for (int kk = 0; kk < kc; kk++)
        {
            int k = k0 + kk, ci = k / khw, r = k - ci * khw, ky = r / g.KW, kx = r - ky * g.KW;
            ktab[3 * kk] = ci;
            ktab[3 * kk + 1] = ky * g.DH - g.PH;
            ktab[3 * kk + 2] = kx * g.DW - g.PW;
        }
        for (int p = 0; p < ncPad / NR; p++)
        {
            float* d = dst + (long)p * kc * NR;
            int oy0 = info[4 * p], ox0 = info[4 * p + 1], oy1 = info[4 * p + 2], ox1 = info[4 * p + 3];
            for (int kk = 0; kk < kc; kk++, d += NR)
            {
                int ci = ktab[3 * kk], dy = ktab[3 * kk + 1], dx = ktab[3 * kk + 2];
                float* xc = xg + ci * (long)g.H * g.W;
                Chunk(d, xc, oy0, ox0, dy, dx, jEnd, g);
                Chunk(d + 8, xc, oy1, ox1, dy, dx, jEnd, g);
            }
        }
    }

    // Row by row: each k row across all panels.
    private static void Rows(float* dst, float* xg, int k0, int kc, int jEnd, int ncPad, int* info, in ConvGeometry geo)
    {
        var g = geo;
        int khw = g.KH * g.KW, panels = ncPad / NR;
        for (int kk = 0; kk < kc; kk++)
        {
            int k = k0 + kk, ci = k / khw, r = k - ci * khw, ky = r / g.KW, kx = r - ky * g.KW;
            float* xc = xg + ci * (long)g.H * g.W;
            int dy = ky * g.DH - g.PH, dx = kx * g.DW - g.PW;
            float* d = dst + kk * NR;
            for (int p = 0; p < panels; p++, d += kc * NR)
            {
                Chunk(d, xc, info[4 * p], info[4 * p + 1], dy, dx, jEnd, g);
                Chunk(d + 8, xc, info[4 * p + 2], info[4 * p + 3], dy, dx, jEnd, g);
            }
        }
    }

    // Eight columns of one im2col row: a vector copy (stride 1) or even-lane gather (stride 2) inside the image,
    // element by element at borders and for chunks that span two output rows (oy &lt; 0: ox is the first column).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chunk(float* d, float* xc, int oy, int ox, int dy, int dx, int jEnd, in ConvGeometry g)
    {
        if (oy >= 0)
        {
            int iy = oy * g.SH + dy;
            if ((uint)iy >= (uint)g.H)
            {
                Vector256<float>.Zero.Store(d);
                return;
            }
            float* s = xc + (long)iy * g.W;
            int ix = ox * g.SW + dx;
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
            return;
        }
        for (int e = 0, j = ox; e < 8; e++, j++)
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
        float* src = xg + k0 * ldx + j0;
        for (int p = 0; p < full; p++)
        {
            float* d = dst + (long)p * kc * NR;
            float* s = src + p * NR;
            for (int kk = 0; kk < kc; kk++, d += NR, s += ldx)
            {
                Vector256.Load(s).Store(d);
                Vector256.Load(s + 8).Store(d + 8);
            }
        }
        if (full * NR < ncPad)
        {
            int rest = nc - full * NR;
            float* d = dst + (long)full * kc * NR;
            float* s = src + full * NR;
            for (int kk = 0; kk < kc; kk++, d += NR, s += ldx)
                for (int e = 0; e < NR; e++) d[e] = e < rest ? s[e] : 0f;
        }
    }
}
