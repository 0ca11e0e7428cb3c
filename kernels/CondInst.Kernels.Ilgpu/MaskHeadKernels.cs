using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// CondInst's dynamic mask head for all instances in one launch: a thread-group per (pixel range, instance) copies
/// the instance's parameters (<see cref="MaskHeadLayout"/>) and its (x, y, stride) into shared memory once, then
/// each thread runs the three 1x1 layers (10 → 8 → 8 → 1, ReLU between) for its pixels with the hidden activations
/// in registers, so no N × 8 × H × W intermediate ever reaches global memory. The layer widths are unrolled into
/// <see cref="Float8"/> here, so the layout's widths must stay 8.
/// </summary>
public static class MaskHeadKernels
{
    private const int Params = MaskHeadLayout.Params;
    private const int W1At = MaskHeadLayout.W1At, W2At = MaskHeadLayout.W2At;
    private const int B0At = MaskHeadLayout.B0At, B1At = MaskHeadLayout.B1At, B2At = MaskHeadLayout.B2At;

    /// <summary>Launch: grid (pixel blocks, N); pixels are walked grid-stride along x within the instance's row of groups.</summary>
    // features: NCHW [1, 8, H, W]; parameters: [N, MaskHeadLayout.Params]; instances: [N, 3] (x, y, stride); logits: [N, 1, H, W]
    public static void DynamicMaskHead(ArrayView<float> features, ArrayView<float> parameters, ArrayView<float> instances,
        ArrayView<float> logits, int h, int w, float featureStride, float sizeOfInterest)
    {
        var prm = SharedMemory.Allocate<float>(Params + 3);
        int t = Group.IdxX, threads = Group.DimX;
        int n = Grid.IdxY;
        for (int i = t; i < Params; i += threads) prm[i] = parameters[n * Params + i];
        if (t < 3) prm[Params + t] = instances[3 * n + t];
        Group.Barrier();

        float ix = prm[Params], iy = prm[Params + 1];
        float norm = prm[Params + 2] * sizeOfInterest;
        int hw = h * w;
        int step = Grid.DimX * threads;
        for (int pix = Grid.IdxX * threads + t; pix < hw; pix += step)
        {
            int i = pix / w, j = pix - i * w;
            float lx = (j + 0.5f) * featureStride, ly = (i + 0.5f) * featureStride;
            var z = new Input
            {
                Rx = (ix - lx) / norm,
                Ry = (iy - ly) / norm,
                F = new Float8
                {
                    V0 = features[pix],
                    V1 = features[hw + pix],
                    V2 = features[2 * hw + pix],
                    V3 = features[3 * hw + pix],
                    V4 = features[4 * hw + pix],
                    V5 = features[5 * hw + pix],
                    V6 = features[6 * hw + pix],
                    V7 = features[7 * hw + pix],
                },
            };
            var h0 = new Float8
            {
                V0 = Layer0(prm, 0, z),
                V1 = Layer0(prm, 1, z),
                V2 = Layer0(prm, 2, z),
                V3 = Layer0(prm, 3, z),
                V4 = Layer0(prm, 4, z),
                V5 = Layer0(prm, 5, z),
                V6 = Layer0(prm, 6, z),
                V7 = Layer0(prm, 7, z),
            };
            var h1 = new Float8
            {
                V0 = KernelMath.Relu(Dot8(prm, W1At, prm[B1At], h0)),
                V1 = KernelMath.Relu(Dot8(prm, W1At + 8, prm[B1At + 1], h0)),
                V2 = KernelMath.Relu(Dot8(prm, W1At + 16, prm[B1At + 2], h0)),
                V3 = KernelMath.Relu(Dot8(prm, W1At + 24, prm[B1At + 3], h0)),
                V4 = KernelMath.Relu(Dot8(prm, W1At + 32, prm[B1At + 4], h0)),
                V5 = KernelMath.Relu(Dot8(prm, W1At + 40, prm[B1At + 5], h0)),
                V6 = KernelMath.Relu(Dot8(prm, W1At + 48, prm[B1At + 6], h0)),
                V7 = KernelMath.Relu(Dot8(prm, W1At + 56, prm[B1At + 7], h0)),
            };
            logits[n * hw + pix] = Dot8(prm, W2At, prm[B2At], h1);
        }
    }

    /// <summary>The 10 inputs of one pixel: relative coordinates, then the 8 feature channels.</summary>
    private struct Input
    {
        public float Rx, Ry;
        public Float8 F;
    }

    // relu(b0[q] + W0[q, :] · z)
    private static float Layer0(ArrayView<float> prm, int q, Input z)
    {
        int r = MaskHeadLayout.W0At + q * MaskHeadLayout.Inputs;
        float acc = prm[B0At + q] + prm[r] * z.Rx + prm[r + 1] * z.Ry;
        return KernelMath.Relu(acc + Dot8(prm, r + 2, 0f, z.F));
    }

    // bias + Σ_c prm[at + c] · v[c]
    private static float Dot8(ArrayView<float> prm, int at, float bias, Float8 v) =>
        bias + prm[at] * v.V0 + prm[at + 1] * v.V1 + prm[at + 2] * v.V2 + prm[at + 3] * v.V3
             + prm[at + 4] * v.V4 + prm[at + 5] * v.V5 + prm[at + 6] * v.V6 + prm[at + 7] * v.V7;
}
