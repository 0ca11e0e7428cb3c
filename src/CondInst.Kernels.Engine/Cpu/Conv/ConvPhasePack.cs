using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CondInst.Kernels;

/// <summary>
/// Packs a B block of <see cref="ConvGemm"/> (rows [k0, k0 + kc) of the im2col matrix, columns [j0, j0 + nc)) for a
/// convolution of stride 2 across without dilation, from even/odd column phases: the input rows that the block's
/// output rows read are split once per pass into their even and odd columns (<see cref="ConvPhaseGemm.Split"/>), after
/// which every 8 columns of a B row that lie in one output row are one contiguous load; 8 columns across two output
/// rows are two loads and a blend. The packed values, and so the GEMM's results, are the same as
/// <see cref="ConvPack.Im2col"/>'s.
/// <para>
/// Packing goes channel by channel: the channel's phase rows phases[r·2 + phase][len], r the input row
/// iy = oy0·SH - PH + r of the block's first output row oy0, then its B rows into every panel. B[k, j] with
/// k = (ci, ky, kx), j = (oy, ox) sits at koff[ky·KW + kx] + joff[j] of channel ci's rows, where
/// koff = (ky·2 + phase(kx))·len + lead + floor((kx - PW) / 2) and joff = (oy - oy0)·SH·2·len + ox.
/// </para>
/// </summary>
internal static unsafe class ConvPhasePack
{
    private const int NR = GemmKernel.NR;

    // Floats of slack before the first phase row and after the last: a two-row chunk's second load starts up to 7
    // columns before its row's first.
    private const int Slack = 8;

    /// <summary>
    /// True when <paramref name="s"/> fits: stride 2 across (any stride down), no dilation, one group.
    /// </summary>
    public static bool Fits(in ConvSpec s) => s is { StrideW: 2, DilationH: 1, DilationW: 1, Groups: 1 };

    /// <summary>Zero columns in front of each phase row.</summary>
    private static int Lead(in ConvGeometry g) => (g.PW + 1) / 2;

    /// <summary>Floats per phase row: the output row, the lead, the largest tap offset and a chunk's over-read.</summary>
    private static int Length(in ConvGeometry g) =>
        (g.OW + Lead(g) + Math.Max(0, (g.KW - 1 - g.PW) >> 1) + 8 + 7) / 8 * 8;

    private static (int Oy0, int RowsIn) Rows(int j0, int nc, in ConvGeometry g)
    {
        int oy0 = j0 / g.OW, oy1 = (j0 + nc - 1) / g.OW;
        return (oy0, (oy1 - oy0) * g.SH + g.KH);
    }

    /// <summary>Floats of scratch <see cref="Pack"/> needs: one channel's phase rows.</summary>
    public static long ScratchFloats(int j0, int nc, in ConvGeometry g) => 2 * Slack + (long)Rows(j0, nc, g).RowsIn * 2 * Length(g);

    /// <summary>Ints of the column plan (<see cref="Plan"/>) plus the per-tap offsets of <see cref="Pack"/>.</summary>
    public static int PlanInts(int ncPad, in ConvGeometry g) => 4 * (ncPad / 8) + ncPad + g.KH * g.KW;

    /// <summary>
    /// Describes the 8-column chunks of columns [j0, j0 + nc) (ncPad / 8 of them): plan[4q] the kind (0: one
    /// output row, 1: two, split after plan[4q + 3] columns, 2: column by column, offsets at plan[4·chunks + 8q + e],
    /// -1 for the zero columns past the block), plan[4q + 1] and plan[4q + 2] the two loads' joff.
    /// </summary>
    public static void Plan(int* plan, int j0, int nc, int ncPad, in ConvGeometry g)
    {
        int chunks = ncPad / 8, len = Length(g), oy0 = j0 / g.OW;
        int* cols = plan + 4 * chunks;
        for (int q = 0; q < chunks; q++)
        {
            int j = j0 + 8 * q, oy = j / g.OW, ox = j - oy * g.OW;
            int* p = plan + 4 * q;
            int rowStep = g.SH * 2 * len;
            p[1] = (oy - oy0) * rowStep + ox;
            p[2] = p[1];
            p[3] = 8;
            if (8 * q + 8 <= nc && ox + 8 <= g.OW)
            {
                p[0] = 0;
            }
            else if (8 * q + 8 <= nc && ox + 8 - g.OW <= g.OW)
            {
                // The first e columns in row oy, the rest at the start of row oy + 1: the second load begins e columns
                // before that row's first.
                int e = g.OW - ox;
                p[0] = 1;
                p[2] = (oy + 1 - oy0) * rowStep - e;
                p[3] = e;
            }
            else
            {
                p[0] = 2;
                for (int e = 0; e < 8; e++)
                {
                    int jj = j + e - j0, py = (j + e) / g.OW, px = j + e - py * g.OW;
                    cols[8 * q + e] = jj < nc ? (py - oy0) * rowStep + px : -1;
                }
            }
        }
    }

    /// <summary>
    /// Packs rows [k0, k0 + kc) for the columns described by <paramref name="plan"/> (<see cref="Plan"/>) into
    /// dst (the layout of <see cref="ConvPack"/>), splitting the input rows it needs into
    /// <paramref name="scratch"/> (<see cref="ScratchFloats"/> floats).
    /// </summary>
    public static void Pack(float* dst, float* scratch, float* xg, int k0, int kc, int j0, int nc, int ncPad, int* plan, in ConvGeometry g)
    {
        int khw = g.KH * g.KW, len = Length(g), lead = Lead(g);
        var (oy0, rowsIn) = Rows(j0, nc, g);
        int ci0 = k0 / khw, ci1 = (k0 + kc - 1) / khw, chunks = ncPad / 8;
        float* phases = scratch + Slack;
        int* cols = plan + 4 * chunks;
        // koff[t] for tap t = ky·KW + kx: B row (ci, ky, kx) sits at phase entry koff[t] + joff (one channel's rows).
        int* koff = cols + ncPad;
        for (int t = 0; t < khw; t++)
        {
            int ky = t / g.KW, kx = t - ky * g.KW, d = kx - g.PW, q = d >> 1;
            koff[t] = (ky * 2 + (d - 2 * q)) * len + lead + q;
        }
        // Channel by channel: split its rows (a few KB, kept in L1), then copy its B rows into every panel.
        for (int ci = ci0; ci <= ci1; ci++)
        {
            SplitChannel(phases, xg + (long)ci * g.H * g.W, oy0, rowsIn, j0, nc, len, lead, g);
            int t0 = Math.Max(k0, ci * khw) - ci * khw, m = Math.Min(k0 + kc, (ci + 1) * khw) - ci * khw - t0;
            int kk0 = ci * khw + t0 - k0;
            int* ko = koff + t0;
            for (int p = 0; p < ncPad / NR; p++)
            {
                float* d = dst + (long)p * kc * NR + (long)kk0 * NR;
                int* c0 = plan + 8 * p, c1 = c0 + 4;
                if (c0[0] == 0 && c1[0] == 0)
                {
                    float* s0 = phases + c0[1], s1 = phases + c1[1];
                    for (int t = 0; t < m; t++, d += NR)
                    {
                        int o = ko[t];
                        Vector256.Load(s0 + o).Store(d);
                        Vector256.Load(s1 + o).Store(d + 8);
                    }
                }
                else
                {
                    Chunk(d, phases, ko, m, c0, cols + 16 * p);
                    Chunk(d + 8, phases, ko, m, c1, cols + 16 * p + 8);
                }
            }
        }
    }

    // Splits the rows r = 0..rowsIn-1 (input row oy0·SH - PH + r) of one channel into phases[(r·2 + phase)·len].
    // Input row r feeds output rows oy0 + [ceil((r - KH + 1) / SH), floor(r / SH)]. A row that feeds only the block's
    // first or last output row, of which the block has a part, is split only for that part (the chunk loads' other
    // lanes are blended away): columns [from, to] read phase entries [from, to + lead + qMax].
    private static void SplitChannel(float* phases, float* xc, int oy0, int rowsIn, int j0, int nc, int len, int lead, in ConvGeometry g)
    {
        int nOy = (rowsIn - g.KH) / g.SH + 1, oxFirst = j0 - oy0 * g.OW, oxLast = (j0 + nc - 1) % g.OW;
        int qMax = Math.Max(0, (g.KW - 1 - g.PW) >> 1);
        for (int r = 0; r < rowsIn; r++)
        {
            int iy = oy0 * g.SH - g.PH + r;
            int lo = Math.Max(0, (r - g.KH + g.SH) / g.SH), hi = Math.Min(nOy - 1, r / g.SH);
            if (lo > hi) continue; // a row between two output rows' windows (stride down past the kernel)
            int from = 0, to = g.OW - 1; // a row that feeds two output rows or more: all of them
            if (lo == hi && lo == 0) from = oxFirst;
            if (lo == hi && hi == nOy - 1) to = oxLast;
            int i0 = from / 8 * 8, i1 = Math.Min(len, (to + lead + qMax + 8) / 8 * 8); // whole vectors (len is a multiple of 8)
            float* even = phases + (long)r * 2 * len;
            ConvPhaseGemm.Split(even + i0, even + len + i0, (uint)iy < (uint)g.H ? xc + (long)iy * g.W : null, g.W, lead - i0, i1 - i0);
        }
    }

    // One 8-column half of a panel, all kc rows (row stride 16).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Chunk(float* d, float* phases, int* koff, int kc, int* c, int* cols)
    {
        if (c[0] == 0)
        {
            float* s = phases + c[1];
            for (int kk = 0; kk < kc; kk++, d += NR) Vector256.Load(s + koff[kk]).Store(d);
        }
        else if (c[0] == 1)
        {
            float* s0 = phases + c[1], s1 = phases + c[2];
            var first = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(c[3])).AsSingle();
            for (int kk = 0; kk < kc; kk++, d += NR)
            {
                int o = koff[kk];
                Vector256.ConditionalSelect(first, Vector256.Load(s0 + o), Vector256.Load(s1 + o)).Store(d);
            }
        }
        else
        {
            for (int kk = 0; kk < kc; kk++, d += NR)
            {
                float* s = phases + koff[kk];
                for (int e = 0; e < 8; e++) d[e] = cols[e] < 0 ? 0f : s[cols[e]];
            }
        }
    }
}
