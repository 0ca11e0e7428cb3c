using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondInst.Kernels;

/// <summary>
/// The im2col GEMM of <see cref="ConvGemm"/> for a convolution of stride 2 across, without dilation or groups and
/// with one pass over K (the 7x7/2 stem), with cheaper packing: each work item (one output row of one image) first
/// splits the KH input rows of every channel into their even and odd columns (zero-padded), after which every row
/// of a B panel is a contiguous 16-float copy instead of a strided gather with border tests. The micro-kernel, the
/// A panels, the k order and the epilogue are those of <see cref="ConvGemm"/>, so both give the same bits.
/// </summary>
internal sealed unsafe class ConvPhaseGemm : IParallelWork
{
    private const int MR = GemmKernel.MR, NR = GemmKernel.NR;

    private CpuConv? _conv;
    private float* _x, _y, _res;
    private bool _relu;
    private int _h, _w, _oh, _ow, _lead, _phaseLength;

    /// <summary>
    /// True when <paramref name="s"/> fits this path: stride 2 across (any stride down), no dilation, one group and
    /// K = Cin·KH·KW within one GEMM pass (<see cref="ConvGemm.KC"/>).
    /// </summary>
    public static bool Fits(in ConvSpec s) =>
        s is { StrideW: 2, DilationH: 1, DilationW: 1, Groups: 1 } && s.InChannels * s.KernelH * s.KernelW <= ConvGemm.KC;

    /// <summary>Runs the convolution of n images x [n, Cin, H, W] into y [n, Cout, OH, OW] on all cores.</summary>
    public void Run(CpuConv conv, float* x, float* y, float* residual, bool relu, int n, int h, int w, int oh, int ow)
    {
        var s = conv.Spec;
        if (!Fits(s)) throw new InvalidOperationException($"conv2d: the phase-split GEMM does not apply to {s}");
        _conv = conv;
        _x = x;
        _y = y;
        _res = residual;
        _relu = relu;
        (_h, _w, _oh, _ow) = (h, w, oh, ow);
        // Column kx reads phase (kx - PW) mod 2 at offset ox + floor((kx - PW) / 2); _lead zero columns in front
        // make the smallest offset 0, and the length covers the last panel's padding columns and the largest offset.
        _lead = (s.PadW + 1) / 2;
        int last = Math.Max(0, FloorHalf(s.KernelW - 1 - s.PadW));
        _phaseLength = (RoundUp(ow, NR) + _lead + last + 7) / 8 * 8;
        try
        {
            CpuWorkers.Shared.For(n * oh, this);
        }
        finally
        {
            _conv = null;
        }
    }

    /// <inheritdoc/>
    public void Run(int item)
    {
        var conv = _conv!;
        var s = conv.Spec;
        int oy = item % _oh, b = item / _oh;
        int cin = s.InChannels, kh = s.KernelH, kw = s.KernelW, kTotal = conv.K, mg = conv.Mg;
        int len = _phaseLength, nPix = _oh * _ow, panels = (_ow + NR - 1) / NR;
        // Scratch: phases[(ci·KH + ky)·2 + phase][len], then one B panel [K][16], then a 6x16 edge tile.
        long phaseFloats = (long)cin * kh * 2 * len;
        float* phases = CpuScratch.Floats(phaseFloats + (long)kTotal * NR + MR * NR);
        float* bp = phases + phaseFloats;
        float* tile = bp + (long)kTotal * NR;
        int* offsets = CpuScratch.Ints(kTotal);
        float* xb = _x + (long)b * cin * _h * _w;
        for (int ci = 0; ci < cin; ci++)
            for (int ky = 0; ky < kh; ky++)
            {
                int iy = oy * s.StrideH - s.PadH + ky;
                float* even = phases + (long)((ci * kh + ky) * 2) * len;
                Split(even, even + len, (uint)iy < (uint)_h ? xb + ((long)ci * _h + iy) * _w : null, _w, _lead, len);
            }
        // offsets[k] for k = (ci·KH + ky)·KW + kx: where B row k's column ox0 sits, minus ox0.
        for (int k = 0; k < kTotal; k++)
        {
            int row = k / kw, kx = k - row * kw, d = kx - s.PadW, q = FloorHalf(d);
            offsets[k] = (row * 2 + (d - 2 * q)) * len + _lead + q;
        }
        long cRow = (long)b * s.OutChannels * nPix + (long)oy * _ow;
        float* yb = _y + cRow;
        float* rb = _res == null ? null : _res + cRow;
        var mode = TileStore.Overwrite | TileStore.Finish | (_relu ? TileStore.Relu : 0);
        for (int p = 0; p < panels; p++)
        {
            int ox0 = p * NR, cols = Math.Min(NR, _ow - ox0);
            Pack(bp, phases + ox0, offsets, kTotal);
            for (int mp = 0; mp < conv.MPanels; mp++)
            {
                float* a = conv.Panel(0, mp);
                float* bias = conv.Bias(0, mp);
                int rows = Math.Min(MR, mg - mp * MR);
                long cIndex = (long)mp * MR * nPix + ox0;
                float* c = yb + cIndex;
                float* r = rb == null ? null : rb + cIndex;
                if (rows == MR && cols == NR)
                {
                    GemmKernel.Kernel6x16(kTotal, a, bp, c, nPix, mode, bias, r);
                }
                else
                {
                    GemmKernel.Kernel6x16(kTotal, a, bp, tile, NR, TileStore.Overwrite, bias, null);
                    GemmKernel.StoreEdge(tile, rows, cols, c, nPix, mode, bias, r);
                }
            }
        }
    }

    // One B panel: dst[k·16 + j] = src[offsets[k] + j], each row a 16-float copy.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pack(float* dst, float* src, int* offsets, int kc)
    {
        for (int k = 0; k < kc; k++, dst += NR)
        {
            float* s = src + offsets[k];
            Vector256.Load(s).Store(dst);
            Vector256.Load(s + 8).Store(dst + 8);
        }
    }

    /// <summary>
    /// Splits one input row into its phases: even[i] = row[2(i - lead)], odd[i] = row[2(i - lead) + 1] for
    /// 0 ≤ i &lt; len, zero outside the row (all zero when <paramref name="row"/> is null: a padding row).
    /// </summary>
    public static void Split(float* even, float* odd, float* row, int w, int lead, int len)
    {
        if (row == null)
        {
            new Span<float>(even, len).Clear();
            new Span<float>(odd, len).Clear();
            return;
        }
        int i = 0;
        for (; i < len && 2 * (i - lead) < 0; i++) SplitOne(even, odd, row, w, lead, i);
        if (Avx2.IsSupported)
            for (; i + 8 <= len && 2 * (i - lead) + 16 <= w; i += 8)
            {
                float* s = row + 2 * (i - lead);
                var lo = Vector256.Load(s);
                var hi = Vector256.Load(s + 8);
                Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle().Store(even + i);
                Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle().Store(odd + i);
            }
        for (; i < len; i++) SplitOne(even, odd, row, w, lead, i);
    }

    private static void SplitOne(float* even, float* odd, float* row, int w, int lead, int i)
    {
        int ix = 2 * (i - lead);
        even[i] = (uint)ix < (uint)w ? row[ix] : 0f;
        odd[i] = (uint)(ix + 1) < (uint)w ? row[ix + 1] : 0f;
    }

    private static int FloorHalf(int d) => d >> 1;

    private static int RoundUp(int v, int m) => (v + m - 1) / m * m;
}
