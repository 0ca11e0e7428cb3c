using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Convolution as a tiled implicit GEMM: per image and channel group, Y[M = Cout/g, N = OH·OW] =
/// W[M, K = Cg·KH·KW] · X̂[K, N], where X̂ (im2col) is never stored: each 128 (output channels) × 128 (pixels)
/// tile walks K in chunks of 16, loading a 16 × 128 slice of the prepared weights and gathering a 16 × 128 slice
/// of X̂ straight from the input into double-buffered group-shared memory (one barrier per chunk; the next chunk's
/// global loads are in flight while the current one is multiplied). 256 threads each accumulate an 8 × 8
/// micro-tile in registers, reading 2 + 2 aligned float4s from shared memory per k for 64 FMAs.
/// </summary>
public static class ConvGemmKernels
{
    /// <summary>Tile height (output channels), width (pixels), depth (K chunk) and threads per group.</summary>
    public const int TileM = 128, TileN = 128, TileK = 16, Threads = 256;

    /// <summary>
    /// The GEMM kernel. Launch: grid (ceil(OH·OW / 128), Mpad / 128, N·Groups), 256 threads per group.
    /// kTab[k] packs the k-th GEMM row as (input channel &lt;&lt; 16) | (ky·DH &lt;&lt; 8) | (kx·DW), or -1 for padding rows.
    /// </summary>
    // x: NCHW [N, Cin, H, W] dense; wt: [Groups, Kpad, Mpad] (row k = all output channels of the group, zero padded);
    // kTab: [Kpad]; y, residual: NCHW [N, Cout, OH, OW]; bias, scale: [Cout] or empty
    public static void Gemm(ArrayView<float> x, ArrayView<float> wt, ArrayView<int> kTab, ArrayView<float> bias,
        ArrayView<float> scale, ArrayView<float> residual, ArrayView<float> y, ConvParams p)
    {
        // [buffer][k][m] and [buffer][k][n]: 2 · 16 · 128 floats each, 32 KB together.
        var aS = SharedMemory.Allocate<float>(2 * TileK * TileM);
        var bS = SharedMemory.Allocate<float>(2 * TileK * TileN);
        var aV = aS.Cast<Float4>();
        var bV = bS.Cast<Float4>();

        int t = Group.IdxX;
        int tileN = Grid.IdxX * TileN, tileM = Grid.IdxY * TileM;
        int n = Grid.IdxZ / p.Groups, g = Grid.IdxZ - n * p.Groups;
        int pixels = p.OH * p.OW, hw = p.H * p.W;

        // Loader role: tile column lc (an output channel of A, a pixel of B), tile rows lr, lr + 2, ..., lr + 14.
        int lc = t & 127, lr = t >> 7;
        int pix = tileN + lc;
        bool pixOk = pix < pixels;
        int oy = pixOk ? pix / p.OW : 0;
        int ox = pixOk ? pix - oy * p.OW : 0;
        var src = new GatherSource
        {
            PixOk = pixOk,
            Iy0 = oy * p.SH - p.PH,
            Ix0 = ox * p.SW - p.PW,
            XBase = (n * p.Cin + g * p.Cg) * hw,
            Hw = hw,
        };
        int aBase = g * p.Kpad * p.Mpad + tileM + lc;

        // Compute role: rows tm·4 + i and 64 + tm·4 + i, columns tn·4 + j and 64 + tn·4 + j (i, j < 4).
        int tm = t >> 4, tn = t & 15;
        int chunks = p.Kpad / TileK;

        var pa = LoadA(wt, aBase, lr, p.Mpad);
        var pb = LoadB(x, kTab, lr, src, p);
        Store(aS, pa, lr * TileM + lc);
        Store(bS, pb, lr * TileN + lc);
        Group.Barrier();

        var acc = default(MicroTile);
        for (int c = 0; c < chunks; c++)
        {
            int buf = c & 1;
            bool more = c + 1 < chunks;
            if (more)
            {
                int k0 = (c + 1) * TileK;
                pa = LoadA(wt, aBase + k0 * p.Mpad, lr, p.Mpad);
                pb = LoadB(x, kTab, k0 + lr, src, p);
            }

            // Float4 index of row k of this buffer: (buf·16 + k)·128 / 4; unrolled by four.
            int rowBase = buf * TileK * (TileM / 4);
            for (int k = 0; k < TileK; k += 4)
            {
                int row = rowBase + k * (TileM / 4);
                acc = MicroTile.Step(acc, aV, bV, row, tm, tn);
                acc = MicroTile.Step(acc, aV, bV, row + TileM / 4, tm, tn);
                acc = MicroTile.Step(acc, aV, bV, row + 2 * (TileM / 4), tm, tn);
                acc = MicroTile.Step(acc, aV, bV, row + 3 * (TileM / 4), tm, tn);
            }

            if (more)
            {
                int other = (buf ^ 1) * TileK;
                Store(aS, pa, (other + lr) * TileM + lc);
                Store(bS, pb, (other + lr) * TileN + lc);
            }
            Group.Barrier();
        }

        var o = new OutputTile { N = n, G = g, TileM = tileM, TileN = tileN, Pixels = pixels, Tn = tn };
        StoreRow(acc.R0, tm * 4 + 0, o, bias, scale, residual, y, p);
        StoreRow(acc.R1, tm * 4 + 1, o, bias, scale, residual, y, p);
        StoreRow(acc.R2, tm * 4 + 2, o, bias, scale, residual, y, p);
        StoreRow(acc.R3, tm * 4 + 3, o, bias, scale, residual, y, p);
        StoreRow(acc.R4, 64 + tm * 4 + 0, o, bias, scale, residual, y, p);
        StoreRow(acc.R5, 64 + tm * 4 + 1, o, bias, scale, residual, y, p);
        StoreRow(acc.R6, 64 + tm * 4 + 2, o, bias, scale, residual, y, p);
        StoreRow(acc.R7, 64 + tm * 4 + 3, o, bias, scale, residual, y, p);
    }

    /// <summary>A thread's 8 × 8 accumulators: rows R0..R3 = tile rows tm·4 + i, R4..R7 = 64 + tm·4 + i.</summary>
    private struct MicroTile
    {
        public Float8 R0, R1, R2, R3, R4, R5, R6, R7;

        // One k step: 2 + 2 float4 reads from shared memory (row = Float4 index of the k-th row), 64 FMAs.
        public static MicroTile Step(MicroTile t, ArrayView<Float4> aV, ArrayView<Float4> bV, int row, int tm, int tn)
        {
            var aLo = aV[row + tm];
            var aHi = aV[row + 16 + tm];
            var bLo = bV[row + tn];
            var bHi = bV[row + 16 + tn];
            t.R0 = Float8.Fma(t.R0, aLo.X, bLo, bHi);
            t.R1 = Float8.Fma(t.R1, aLo.Y, bLo, bHi);
            t.R2 = Float8.Fma(t.R2, aLo.Z, bLo, bHi);
            t.R3 = Float8.Fma(t.R3, aLo.W, bLo, bHi);
            t.R4 = Float8.Fma(t.R4, aHi.X, bLo, bHi);
            t.R5 = Float8.Fma(t.R5, aHi.Y, bLo, bHi);
            t.R6 = Float8.Fma(t.R6, aHi.Z, bLo, bHi);
            t.R7 = Float8.Fma(t.R7, aHi.W, bLo, bHi);
            return t;
        }
    }

    /// <summary>Per-thread constants of the im2col gather for the loader's pixel.</summary>
    private struct GatherSource
    {
        public bool PixOk;
        public int Iy0, Ix0, XBase, Hw;
    }

    /// <summary>Where the tile's outputs go.</summary>
    private struct OutputTile
    {
        public int N, G, TileM, TileN, Pixels, Tn;
    }

    // Eight weights of one output channel, GEMM rows lr, lr + 2, ..., lr + 14 (weights are padded: no bounds checks).
    private static Float8 LoadA(ArrayView<float> wt, int at, int lr, int mpad)
    {
        int s = 2 * mpad;
        at += lr * mpad;
        return new Float8
        {
            V0 = wt[at],
            V1 = wt[at + s],
            V2 = wt[at + 2 * s],
            V3 = wt[at + 3 * s],
            V4 = wt[at + 4 * s],
            V5 = wt[at + 5 * s],
            V6 = wt[at + 6 * s],
            V7 = wt[at + 7 * s],
        };
    }

    // Eight im2col values of the loader's pixel, GEMM rows k, k + 2, ..., k + 14.
    private static Float8 LoadB(ArrayView<float> x, ArrayView<int> kTab, int k, GatherSource s, ConvParams p) => new()
    {
        V0 = Gather(x, kTab[k], s, p),
        V1 = Gather(x, kTab[k + 2], s, p),
        V2 = Gather(x, kTab[k + 4], s, p),
        V3 = Gather(x, kTab[k + 6], s, p),
        V4 = Gather(x, kTab[k + 8], s, p),
        V5 = Gather(x, kTab[k + 10], s, p),
        V6 = Gather(x, kTab[k + 12], s, p),
        V7 = Gather(x, kTab[k + 14], s, p),
    };

    // One im2col element: input channel e >> 16 at (iy0 + dy, ix0 + dx), zero outside the image or for padding rows.
    private static float Gather(ArrayView<float> x, int e, GatherSource s, ConvParams p)
    {
        if (!s.PixOk || e < 0) return 0f;
        int iy = s.Iy0 + ((e >> 8) & 255), ix = s.Ix0 + (e & 255);
        if ((uint)iy >= (uint)p.H || (uint)ix >= (uint)p.W) return 0f;
        return x[s.XBase + (e >> 16) * s.Hw + iy * p.W + ix];
    }

    // Writes v.V0..V7 to shared rows at, at + 2·128, ..., at + 14·128 (TileM = TileN = 128).
    private static void Store(ArrayView<float> sh, Float8 v, int at)
    {
        const int s = 2 * TileM;
        sh[at] = v.V0;
        sh[at + s] = v.V1;
        sh[at + 2 * s] = v.V2;
        sh[at + 3 * s] = v.V3;
        sh[at + 4 * s] = v.V4;
        sh[at + 5 * s] = v.V5;
        sh[at + 6 * s] = v.V6;
        sh[at + 7 * s] = v.V7;
    }

    // One accumulator row (tile row m) through the epilogue: columns tn·4 + j and 64 + tn·4 + j.
    private static void StoreRow(Float8 r, int m, OutputTile o, ArrayView<float> bias, ArrayView<float> scale,
        ArrayView<float> residual, ArrayView<float> y, ConvParams p)
    {
        int oc = o.TileM + m;
        if (oc >= p.Mg) return;
        oc += o.G * p.Mg;
        int rowBase = (o.N * p.Cout + oc) * o.Pixels;
        int c0 = o.TileN + o.Tn * 4, c1 = c0 + 64;
        Put(r.V0, c0, oc, rowBase, o.Pixels, bias, scale, residual, y, p);
        Put(r.V1, c0 + 1, oc, rowBase, o.Pixels, bias, scale, residual, y, p);
        Put(r.V2, c0 + 2, oc, rowBase, o.Pixels, bias, scale, residual, y, p);
        Put(r.V3, c0 + 3, oc, rowBase, o.Pixels, bias, scale, residual, y, p);
        Put(r.V4, c1, oc, rowBase, o.Pixels, bias, scale, residual, y, p);
        Put(r.V5, c1 + 1, oc, rowBase, o.Pixels, bias, scale, residual, y, p);
        Put(r.V6, c1 + 2, oc, rowBase, o.Pixels, bias, scale, residual, y, p);
        Put(r.V7, c1 + 3, oc, rowBase, o.Pixels, bias, scale, residual, y, p);
    }

    private static void Put(float acc, int pix, int oc, int rowBase, int pixels, ArrayView<float> bias, ArrayView<float> scale,
        ArrayView<float> residual, ArrayView<float> y, ConvParams p)
    {
        if (pix >= pixels) return;
        int yi = rowBase + pix;
        y[yi] = ConvKernels.Epilogue(acc, oc, yi, bias, scale, residual, p);
    }
}
