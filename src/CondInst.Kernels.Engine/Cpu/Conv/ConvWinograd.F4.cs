using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondInst.Kernels;

// The tile input and output of F(4x4, 3x3): 6x6 input windows at stride 4, 4x4 output tiles. Groups of 8 tiles use
// the lane order of Winograd4Transforms; tiles at borders and row ends go through scratch copies.
internal sealed unsafe partial class ConvWinograd
{
    private const int A4 = Winograd4Transforms.Alpha;

    // Width of the 8-tile input window: 4·8 columns + 2, read as 36 (Winograd4Transforms.Input8).
    private const int Window4 = 36;

    // Scratch layout of the F4 paths (floats): border window 6 x 40, transform temporaries 36 x 8, output rows 16 x 8.
    private const int Border4 = 0, Tmp4 = 6 * 40, Rows4 = Tmp4 + Winograd4Transforms.Elements * 8;

    // Transforms the tiles [t0, t0 + nt) of one input channel into lanes of the packed panels (see InputChannel).
    private void InputChannel4(float* xc, int t0, int nt, float* dst, long vs, int kc, float* scratch)
    {
        var s = _conv!.Spec;
        int ph = s.PadH, pw = s.PadW;
        float* window = scratch + Border4, tmp = scratch + Tmp4;
        for (int q = 0; q < _nb; q += 8)
        {
            float* d = dst + (q / NR) * (long)kc * NR + q % NR;
            int t = t0 + q, ty = t / _tw, tx = t - ty * _tw;
            int iy = 4 * ty - ph, ix = 4 * tx - pw;
            if (q + 8 <= nt && tx + 8 <= _tw)
            {
                if (iy >= 0 && iy + A4 <= _h && ix >= 0 && ix + Window4 <= _w)
                {
                    Winograd4Transforms.Input8(xc + (long)iy * _w + ix, _w, d, vs, tmp);
                    continue;
                }
                // Touches the border: copy the 6 x 36 window, zeros outside, then the same transform.
                for (int r = 0; r < A4; r++)
                {
                    int yy = iy + r;
                    for (int cc = 0; cc < Window4; cc++)
                    {
                        int xx = ix + cc;
                        window[r * 40 + cc] = (uint)yy < (uint)_h && (uint)xx < (uint)_w ? xc[(long)yy * _w + xx] : 0f;
                    }
                }
                Winograd4Transforms.Input8(window, 40, d, vs, tmp);
                continue;
            }
            // Tiles across a row end or past the last tile: gather each tile's 6x6 window, transform it alone.
            for (int e = 0; e < 8; e++)
            {
                int te = t + e, tye = te / _tw, txe = te - tye * _tw;
                for (int r = 0; r < A4; r++)
                    for (int cc = 0; cc < A4; cc++)
                    {
                        int yy = 4 * tye - ph + r, xx = 4 * txe - pw + cc;
                        window[r * A4 + cc] = q + e < nt && (uint)yy < (uint)_h && (uint)xx < (uint)_w ? xc[(long)yy * _w + xx] : 0f;
                    }
                Winograd4Transforms.InputScalar(window, d + Winograd4Transforms.Lane(e), vs);
            }
        }
    }

    // Output transform of one output channel o for the block's tiles, with bias, residual and ReLU.
    private void OutputChannel4(float* m, long mStride, int t0, int nt, int o, float bias, long cOffset, float* scratch)
    {
        long plane = (long)_oh * _ow;
        float* y = _y + cOffset + o * plane;
        float* res = _res == null ? null : _res + cOffset + o * plane;
        float* rows = scratch + Rows4, tmp = scratch + Tmp4;
        var vb = Vector256.Create(bias);
        for (int q = 0; q < nt; q += 8)
        {
            int t = t0 + q, ty = t / _tw, tx = t - ty * _tw;
            Winograd4Transforms.Output8(m + q, mStride, vb, rows, tmp);
            if (q + 8 <= nt && tx + 8 <= _tw && 4 * ty + 4 <= _oh && 4 * tx + 32 <= _ow)
            {
                for (int k = 0; k < 4; k++)
                {
                    Winograd4Transforms.Untangle(rows + k * 32, out var o0, out var o1, out var o2, out var o3);
                    long at = (long)(4 * ty + k) * _ow + 4 * tx;
                    Store8(y + at, res == null ? null : res + at, o0);
                    Store8(y + at + 8, res == null ? null : res + at + 8, o1);
                    Store8(y + at + 16, res == null ? null : res + at + 16, o2);
                    Store8(y + at + 24, res == null ? null : res + at + 24, o3);
                }
                continue;
            }
            for (int e = 0; e < 8 && q + e < nt; e++)
            {
                int te = t + e, tye = te / _tw, txe = te - tye * _tw, lane = Winograd4Transforms.Lane(e);
                for (int dy = 0; dy < 4; dy++)
                    for (int dx = 0; dx < 4; dx++)
                    {
                        int oy = 4 * tye + dy, ox = 4 * txe + dx;
                        if (oy >= _oh || ox >= _ow) continue;
                        long at = (long)oy * _ow + ox;
                        float v = rows[dy * 32 + dx * 8 + lane];
                        if (res != null) v += res[at];
                        y[at] = _relu ? MathF.Max(v, 0f) : v;
                    }
            }
        }
    }

    private void Store8(float* dst, float* res, Vector256<float> v)
    {
        if (res != null) v = Avx.Add(v, Avx.LoadVector256(res));
        if (_relu) v = Avx.Max(v, Vector256<float>.Zero);
        Avx.Store(dst, v);
    }
}
