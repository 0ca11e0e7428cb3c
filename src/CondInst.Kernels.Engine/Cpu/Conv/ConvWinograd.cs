using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondInst.Kernels;

/// <summary>
/// 3x3 stride-1 convolution by Winograd F(m x m, 3x3), m = 2 or 4 (<see cref="Winograd2Transforms"/>,
/// <see cref="Winograd4Transforms"/>), per block of NB output tiles (tile t = ty·TW + tx covers output rows
/// m·ty..m·ty+m-1, columns m·tx..m·tx+m-1): the input tiles of a pass of kc channels are transformed straight into
/// the micro-kernel's B panels, V[ξ][t / 16][c][t % 16]; (m+2)² GEMMs M[ξ] = U[ξ]·V[ξ] run with the packed
/// transformed weights U[ξ][mp][c][6] (<see cref="CpuConv"/>) into M[ξ][o][NB]; the output transform then writes y
/// with the bias / residual / ReLU epilogue. Work items are (image, tile block, output-channel split).
/// </summary>
internal sealed unsafe partial class ConvWinograd : IParallelWork
{
    /// <summary>Tiles per work item: two 16-column panels.</summary>
    public const int NB = 32;

    /// <summary>
    /// Tiles per work item when the input has more channels than one pass: the transformed weights (16·Cout·Cin
    /// floats, 17 MB at 512 channels) then stream from memory once per block, so blocks are made twice as wide.
    /// </summary>
    public const int NBWide = 64;

    /// <summary>Input channels per pass (B panel NB/16 x KC x 16 per ξ).</summary>
    public const int KC = 256;

    private const int MR = GemmKernel.MR, NR = GemmKernel.NR;

    private CpuConv? _conv;
    private float* _x, _y, _res;
    private bool _relu;
    private int _h, _w, _oh, _ow, _tw, _tiles, _nb, _blocks, _mSplits, _panelsPerSplit;
    private int _m, _elements;

    /// <summary>Floats of per-thread scratch besides V and M: border windows and the transforms' temporaries.</summary>
    private const int ScratchFloats = 1024;

    /// <summary>True when the machine has the AVX2 shuffles the transforms use.</summary>
    public static bool Supported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Number of m x m output tiles of an OH x OW output.</summary>
    public static int Tiles(int m, int oh, int ow) => ((oh + m - 1) / m) * ((ow + m - 1) / m);

    /// <summary>
    /// Runs the convolution of n images on all cores with output tiles of m x m (2 or 4); the caller has made the
    /// weight form (<see cref="CpuConv.Used"/>).
    /// </summary>
    public void Run(CpuConv conv, int m, float* x, float* y, float* residual, bool relu, int n, int h, int w, int oh, int ow)
    {
        if (m is not (2 or 4)) throw new ArgumentOutOfRangeException(nameof(m), m, "Winograd output tile must be 2 or 4");
        _m = m;
        _elements = (m + 2) * (m + 2);
        _conv = conv;
        _x = x;
        _y = y;
        _res = residual;
        _relu = relu;
        (_h, _w, _oh, _ow) = (h, w, oh, ow);
        _tw = (ow + m - 1) / m;
        _tiles = Tiles(m, oh, ow);
        _nb = conv.Spec.InChannels > KC ? NBWide : NB;
        _blocks = (_tiles + _nb - 1) / _nb;
        // Few tile blocks that do not divide evenly over the threads (small images): also split the output channels
        // `threads` ways, so that the cores finish together. Each split transforms its block's input again.
        int outer = n * _blocks, threads = CpuWorkers.Shared.Threads;
        _mSplits = threads > 1 && outer < 8 * threads && outer % threads != 0 ? Math.Min(threads, conv.MPanels) : 1;
        _panelsPerSplit = (conv.MPanels + _mSplits - 1) / _mSplits;
        _mSplits = (conv.MPanels + _panelsPerSplit - 1) / _panelsPerSplit;
        try
        {
            CpuWorkers.Shared.For(outer * _mSplits, this);
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
        int ms = item % _mSplits;
        item /= _mSplits;
        int nb = _nb, b = item / _blocks, t0 = item % _blocks * nb, nt = Math.Min(nb, _tiles - t0);
        int mp0 = ms * _panelsPerSplit, mp1 = Math.Min(conv.MPanels, mp0 + _panelsPerSplit);
        int cin = s.InChannels, mPad = conv.MPanels * MR;
        long plane = (long)_h * _w;
        float* xb = _x + b * cin * plane;
        long vStride = (long)KC * nb, mStride = (long)mPad * nb;
        int elements = _elements;
        float* v = CpuScratch.Floats(elements * vStride + elements * mStride + ScratchFloats);
        float* m = v + elements * vStride;
        float* scratch = m + elements * mStride;
        for (int k0 = 0; k0 < cin; k0 += KC)
        {
            int kc = Math.Min(KC, cin - k0);
            long vs = (long)kc * nb; // one ξ's panels in this pass
            for (int c = 0; c < kc; c++)
            {
                if (_m == 2) InputChannel(xb + (k0 + c) * plane, t0, nt, v + c * NR, vs, kc, scratch);
                else InputChannel4(xb + (k0 + c) * plane, t0, nt, v + c * NR, vs, kc, scratch);
            }
            var mode = k0 > 0 ? TileStore.Accumulate : TileStore.Overwrite;
            bool avx512 = GemmKernel.UseAvx512;
            for (int xi = 0; xi < elements; xi++)
                for (int mp = mp0; mp < mp1; mp++)
                {
                    float* a = conv.WinogradPanel(_m, xi, mp) + (long)k0 * MR;
                    float* c = m + xi * mStride + (long)mp * MR * nb;
                    if (avx512 && mp + 1 < mp1)
                    {
                        // Two row panels per B panel (AVX-512; m holds whole panels of rows): same bits as 6x16.
                        float* a2 = conv.WinogradPanel(_m, xi, mp + 1) + (long)k0 * MR;
                        for (int jp = 0; jp < nb / NR; jp++)
                            GemmKernel.Kernel12x16(kc, a, a2, v + xi * vs + (long)jp * kc * NR, c + jp * NR, nb, mode, conv.Bias(0, mp), conv.Bias(0, mp + 1), null);
                        mp++;
                        continue;
                    }
                    for (int jp = 0; jp < nb / NR; jp++)
                        GemmKernel.Kernel6x16(kc, a, v + xi * vs + (long)jp * kc * NR, c + jp * NR, nb, mode, conv.Bias(0, mp), null);
                }
        }
        long cOffset = (long)b * s.OutChannels * _oh * _ow;
        for (int o = mp0 * MR; o < Math.Min(s.OutChannels, mp1 * MR); o++)
        {
            float bias = conv.Bias(0, o / MR)[o % MR];
            if (_m == 2) OutputChannel(m + (long)o * nb, mStride, t0, nt, o, bias, cOffset, scratch);
            else OutputChannel4(m + (long)o * nb, mStride, t0, nt, o, bias, cOffset, scratch);
        }
    }

    // Transforms the tiles [t0, t0 + nt) of one input channel into lanes of the packed panels: tile t_local goes to
    // dst + (t_local / 16)·kc·16 + t_local % 16, element ξ at + ξ·vs.
    private void InputChannel(float* xc, int t0, int nt, float* dst, long vs, int kc, float* scratch)
    {
        var s = _conv!.Spec;
        int ph = s.PadH, pw = s.PadW;
        for (int q = 0; q < _nb; q += 8)
        {
            float* d = dst + (q / NR) * (long)kc * NR + q % NR;
            int t = t0 + q, ty = t / _tw, tx = t - ty * _tw;
            int iy = 2 * ty - ph, ix = 2 * tx - pw;
            if (q + 8 <= nt && tx + 8 <= _tw)
            {
                if (iy >= 0 && iy + 4 <= _h && ix >= 0 && ix + 18 <= _w)
                {
                    float* r = xc + (long)iy * _w + ix;
                    Winograd2Transforms.Input8(r, r + _w, r + 2 * _w, r + 3 * _w, d, vs);
                    continue;
                }
                // Touches the border: copy the 4 x 18 window, zeros outside, then the same transform.
                for (int r = 0; r < 4; r++)
                    for (int cc = 0; cc < 18; cc++)
                    {
                        int yy = iy + r, xx = ix + cc;
                        scratch[r * 24 + cc] = (uint)yy < (uint)_h && (uint)xx < (uint)_w ? xc[(long)yy * _w + xx] : 0f;
                    }
                Winograd2Transforms.Input8(scratch, scratch + 24, scratch + 48, scratch + 72, d, vs);
                continue;
            }
            // Tiles across a row end or past the last tile: gather each lane's 4x4 window, transform it alone.
            for (int e = 0; e < 8; e++)
            {
                int te = t + e, tye = te / _tw, txe = te - tye * _tw;
                for (int r = 0; r < 4; r++)
                    for (int cc = 0; cc < 4; cc++)
                    {
                        int yy = 2 * tye - ph + r, xx = 2 * txe - pw + cc;
                        scratch[r * 4 + cc] = q + e < nt && (uint)yy < (uint)_h && (uint)xx < (uint)_w ? xc[(long)yy * _w + xx] : 0f;
                    }
                InputScalar(scratch, d + e, vs);
            }
        }
    }

    private static void InputScalar(float* t, float* v, long vs)
    {
        float* u = stackalloc float[16];
        for (int r = 0; r < 4; r++)
        {
            float x0 = t[4 * r], x1 = t[4 * r + 1], x2 = t[4 * r + 2], x3 = t[4 * r + 3];
            u[4 * r] = x0 - x2;
            u[4 * r + 1] = x1 + x2;
            u[4 * r + 2] = x2 - x1;
            u[4 * r + 3] = x1 - x3;
        }
        for (int j = 0; j < 4; j++)
        {
            v[j * vs] = u[j] - u[8 + j];
            v[(4 + j) * vs] = u[4 + j] + u[8 + j];
            v[(8 + j) * vs] = u[8 + j] - u[4 + j];
            v[(12 + j) * vs] = u[4 + j] - u[12 + j];
        }
    }

    // Output transform of one output channel o for the block's tiles, with bias, residual and ReLU.
    private void OutputChannel(float* m, long mStride, int t0, int nt, int o, float bias, long cOffset, float* scratch)
    {
        long plane = (long)_oh * _ow;
        float* y = _y + cOffset + o * plane;
        float* res = _res == null ? null : _res + cOffset + o * plane;
        var vb = Vector256.Create(bias);
        for (int q = 0; q < nt; q += 8)
        {
            int t = t0 + q, ty = t / _tw, tx = t - ty * _tw;
            Winograd2Transforms.Output8(m + q, mStride, out var y00, out var y01, out var y10, out var y11);
            y00 = Avx.Add(y00, vb);
            y01 = Avx.Add(y01, vb);
            y10 = Avx.Add(y10, vb);
            y11 = Avx.Add(y11, vb);
            if (q + 8 <= nt && tx + 8 <= _tw && 2 * ty + 2 <= _oh && 2 * tx + 16 <= _ow)
            {
                long at = (long)2 * ty * _ow + 2 * tx;
                Store16(y + at, res == null ? null : res + at, y00, y01);
                Store16(y + at + _ow, res == null ? null : res + at + _ow, y10, y11);
                continue;
            }
            Avx.Store(scratch, y00);
            Avx.Store(scratch + 8, y01);
            Avx.Store(scratch + 16, y10);
            Avx.Store(scratch + 24, y11);
            for (int e = 0; e < 8 && q + e < nt; e++)
            {
                int te = t + e, tye = te / _tw, txe = te - tye * _tw;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++)
                    {
                        int oy = 2 * tye + dy, ox = 2 * txe + dx;
                        if (oy >= _oh || ox >= _ow) continue;
                        long at = (long)oy * _ow + ox;
                        float v = scratch[(2 * dy + dx) * 8 + e];
                        if (res != null) v += res[at];
                        y[at] = _relu ? MathF.Max(v, 0f) : v;
                    }
            }
        }
    }

    private void Store16(float* dst, float* res, Vector256<float> a, Vector256<float> b)
    {
        var lo = Avx.UnpackLow(a, b);
        var hi = Avx.UnpackHigh(a, b);
        var v0 = Avx.Permute2x128(lo, hi, 0x20);
        var v1 = Avx.Permute2x128(lo, hi, 0x31);
        if (res != null)
        {
            v0 = Avx.Add(v0, Avx.LoadVector256(res));
            v1 = Avx.Add(v1, Avx.LoadVector256(res + 8));
        }
        if (_relu)
        {
            v0 = Avx.Max(v0, Vector256<float>.Zero);
            v1 = Avx.Max(v1, Vector256<float>.Zero);
        }
        Avx.Store(dst, v0);
        Avx.Store(dst + 8, v1);
    }
}
