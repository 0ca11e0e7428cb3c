using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>The fused mask paste: aligned ×factor crop, bilinear to the original size and threshold in one kernel.</summary>
public static class MaskPasteKernels
{
    /// <summary>
    /// One thread per output pixel (grid-stride): the pixel's two original-size taps name four crop values, each
    /// computed on the fly from probs with <see cref="ResampleKernels.AlignedTap"/> and the same rounded products as
    /// <see cref="ResampleKernels.AlignedBilinear"/>; they are blended as <see cref="ResampleKernels.Bilinear"/>
    /// (align_corners false) and compared as <see cref="ElementwiseKernels.Threshold"/>, so the byte equals that
    /// chain's bit for bit. Factor 1 reads the crop values directly (the chain copies there).
    /// </summary>
    // probs: [N, 1, H4, W4] dense float; masks: [N, OH, OW] dense uint8; crop (virtual): [N, cropH, cropW]
    public static void Paste(ArrayView<float> probs, ArrayView<byte> masks, int n, int h4, int w4, int cropH, int cropW,
        int oh, int ow, int factor, float threshold)
    {
        int total = n * oh * ow;
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += step)
        {
            int ox = i % ow;
            int t = i / ow;
            int oy = t % oh;
            int plane = t / oh;
            var ty = ResampleKernels.LinearTap(oy, cropH, oh, 0);
            var tx = ResampleKernels.LinearTap(ox, cropW, ow, 0);
            float c00 = Crop(probs, plane, h4, w4, factor, ty.I0, tx.I0);
            float c01 = Crop(probs, plane, h4, w4, factor, ty.I0, tx.I1);
            float c10 = Crop(probs, plane, h4, w4, factor, ty.I1, tx.I0);
            float c11 = Crop(probs, plane, h4, w4, factor, ty.I1, tx.I1);
            float t0 = KernelMath.MulNoFma(c00, tx.W0) + KernelMath.MulNoFma(c01, tx.W1);
            float t1 = KernelMath.MulNoFma(c10, tx.W0) + KernelMath.MulNoFma(c11, tx.W1);
            float v = KernelMath.MulNoFma(t0, ty.W0) + KernelMath.MulNoFma(t1, ty.W1);
            masks[i] = v > threshold ? (byte)1 : (byte)0;
        }
    }

    // Element (cy, cx) of plane's aligned ×factor upsampling.
    private static float Crop(ArrayView<float> probs, int plane, int h4, int w4, int factor, int cy, int cx)
    {
        if (factor == 1) return probs[(plane * h4 + cy) * w4 + cx];
        var ty = ResampleKernels.AlignedTap(cy, h4, factor);
        var tx = ResampleKernels.AlignedTap(cx, w4, factor);
        return ResampleKernels.Blend(probs, (plane * h4 + ty.I0) * w4, (plane * h4 + ty.I1) * w4, tx, ty);
    }
}
