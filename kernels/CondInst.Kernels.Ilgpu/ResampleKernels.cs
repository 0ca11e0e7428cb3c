using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>Max pooling and resizing over NCHW float32: one thread per output element (grid-stride).</summary>
public static class ResampleKernels
{
    /// <summary>Square-window max pooling; padded positions are skipped, so padding never wins.</summary>
    // x: NCHW [N, C, H, W] dense (planes = N·C); y: [N, C, OH, OW]
    public static void MaxPool(ArrayView<float> x, ArrayView<float> y, int planes, int h, int w, int oh, int ow,
        int kernel, int stride, int padding)
    {
        int total = planes * oh * ow;
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += step)
        {
            int ox = i % ow;
            int t = i / ow;
            int oy = t % oh;
            int plane = t / oh;
            int iy0 = oy * stride - padding, ix0 = ox * stride - padding;
            float m = float.NegativeInfinity;
            for (int ky = 0; ky < kernel; ky++)
            {
                int iy = iy0 + ky;
                if (iy < 0 || iy >= h) continue;
                int row = (plane * h + iy) * w;
                for (int kx = 0; kx < kernel; kx++)
                {
                    int ix = ix0 + kx;
                    if (ix < 0 || ix >= w) continue;
                    float v = x[row + ix];
                    if (v > m || float.IsNaN(v)) m = v;
                }
            }
            y[i] = m;
        }
    }

    /// <summary>PyTorch's legacy nearest source index along one axis (identity, exact 2x as a shift, else floor(dst·in/out)).</summary>
    public static int NearestIndex(int dst, int inSize, int outSize)
    {
        if (outSize == inSize) return dst;
        if (outSize == 2 * inSize) return dst >> 1;
        float scale = (float)inSize / outSize;
        int s = (int)(dst * scale); // non-negative: truncation is floor
        return s < inSize - 1 ? s : inSize - 1;
    }

    /// <summary>Nearest-neighbour resize with PyTorch's legacy rule per axis.</summary>
    // x: NCHW [N, C, H, W] dense; y: [N, C, OH, OW]
    public static void Nearest(ArrayView<float> x, ArrayView<float> y, int planes, int h, int w, int oh, int ow)
    {
        int total = planes * oh * ow;
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += step)
        {
            int ox = i % ow;
            int t = i / ow;
            int oy = t % oh;
            int plane = t / oh;
            y[i] = x[(plane * h + NearestIndex(oy, h, oh)) * w + NearestIndex(ox, w, ow)];
        }
    }

    /// <summary>One axis of a linear interpolation: neighbours I0, I1 and weights W0 = 1 - a, W1 = a.</summary>
    public struct Tap
    {
        /// <summary>Source indices.</summary>
        public int I0, I1;

        /// <summary>Weights of I0 and I1.</summary>
        public float W0, W1;
    }

    /// <summary>PyTorch's source index and weights for output index <paramref name="dst"/> of one axis.</summary>
    public static Tap LinearTap(int dst, int inSize, int outSize, int alignCorners)
    {
        float src;
        if (alignCorners != 0)
        {
            float scale = outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f;
            src = KernelMath.MulNoFma(scale, dst);
        }
        else
        {
            float scale = (float)inSize / outSize;
            // The product is rounded before the subtraction, as on the host (no fused multiply-add).
            src = KernelMath.MulNoFma(scale, dst + 0.5f) - 0.5f;
            if (!(src > 0f)) src = 0f;
        }
        int i0 = (int)src;
        float a = src - i0;
        a = a < 0f ? 0f : a > 1f ? 1f : a;
        return new Tap { I0 = i0, I1 = i0 < inSize - 1 ? i0 + 1 : i0, W0 = 1f - a, W1 = a };
    }

    /// <summary>Bilinear resize (no antialiasing), each source row interpolated along W first, then along H.</summary>
    // x: NCHW [N, C, H, W] dense; y: [N, C, OH, OW]
    public static void Bilinear(ArrayView<float> x, ArrayView<float> y, int planes, int h, int w, int oh, int ow, int alignCorners)
    {
        int total = planes * oh * ow;
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += step)
        {
            int ox = i % ow;
            int t = i / ow;
            int oy = t % oh;
            int plane = t / oh;
            var ty = LinearTap(oy, h, oh, alignCorners);
            var tx = LinearTap(ox, w, ow, alignCorners);
            y[i] = Blend(x, (plane * h + ty.I0) * w, (plane * h + ty.I1) * w, tx, ty);
        }
    }

    /// <summary>
    /// CondInst's aligned_bilinear in closed form, cropped to y: per axis u = max(Y - f/2, 0), i0 = u / f,
    /// a = (u % f) / f, i1 = min(i0 + 1, n - 1); factor 1 copies.
    /// </summary>
    // x: NCHW [N, C, H, W] dense; y: [N, C, OH, OW] with OH ≤ f·H, OW ≤ f·W
    public static void AlignedBilinear(ArrayView<float> x, ArrayView<float> y, int planes, int h, int w, int oh, int ow, int factor)
    {
        int total = planes * oh * ow;
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += step)
        {
            int ox = i % ow;
            int t = i / ow;
            int oy = t % oh;
            int plane = t / oh;
            if (factor == 1)
            {
                y[i] = x[(plane * h + oy) * w + ox];
                continue;
            }
            var ty = AlignedTap(oy, h, factor);
            var tx = AlignedTap(ox, w, factor);
            y[i] = Blend(x, (plane * h + ty.I0) * w, (plane * h + ty.I1) * w, tx, ty);
        }
    }

    private static Tap AlignedTap(int dst, int size, int factor)
    {
        int u = dst - factor / 2;
        if (u < 0) u = 0;
        int i0 = u / factor;
        float a = (float)(u - i0 * factor) / factor;
        return new Tap { I0 = i0, I1 = i0 < size - 1 ? i0 + 1 : size - 1, W0 = 1f - a, W1 = a };
    }

    // t0 = row0 along W, t1 = row1 along W, then along H: the evaluation order PyTorch's CPU kernel uses. Every
    // product is rounded before its sum, as on the host, so no device fuses them into FMAs: results are bit-exact.
    private static float Blend(ArrayView<float> x, int row0, int row1, Tap tx, Tap ty)
    {
        float t0 = KernelMath.MulNoFma(x[row0 + tx.I0], tx.W0) + KernelMath.MulNoFma(x[row0 + tx.I1], tx.W1);
        float t1 = KernelMath.MulNoFma(x[row1 + tx.I0], tx.W0) + KernelMath.MulNoFma(x[row1 + tx.I1], tx.W1);
        return KernelMath.MulNoFma(t0, ty.W0) + KernelMath.MulNoFma(t1, ty.W1);
    }
}
