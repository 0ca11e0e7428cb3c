using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Image preprocessing: Pillow's fixed-point bilinear resize (coefficients computed on the host by the engine's
/// PillowResample, so every backend produces Pillow's bytes) and normalise-and-pad into NCHW float32.
/// </summary>
public static class ImageKernels
{
    /// <summary>Fractional bits of Pillow's fixed-point weights.</summary>
    public const int PrecisionBits = 22;

    /// <summary>Horizontal pass: each output pixel of each row is a weighted sum of Bounds[2·ox + 1] source pixels.</summary>
    // x: uint8 HWC [h, w, c]; y: uint8 HWC [h, ow, c]; bounds: [ow, 2] (first tap, tap count); weights: [ow, taps]
    public static void ResizeHorizontal(ArrayView<byte> x, ArrayView<byte> y, ArrayView<int> bounds, ArrayView<int> weights,
        int h, int w, int ow, int c, int taps)
    {
        int total = h * ow * c;
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += step)
        {
            int ch = i % c;
            int t = i / c;
            int ox = t % ow;
            int r = t / ow;
            int first = bounds[2 * ox], count = bounds[2 * ox + 1];
            int src = (r * w + first) * c + ch;
            int acc = 1 << (PrecisionBits - 1);
            for (int k = 0; k < count; k++) acc += x[src + k * c] * weights[ox * taps + k];
            y[i] = Clip8(acc);
        }
    }

    /// <summary>Vertical pass: each output row is a weighted sum of Bounds[2·oy + 1] source rows.</summary>
    // x: uint8 HWC [h, w, c]; y: uint8 HWC [oh, w, c]; bounds: [oh, 2]; weights: [oh, taps]
    public static void ResizeVertical(ArrayView<byte> x, ArrayView<byte> y, ArrayView<int> bounds, ArrayView<int> weights,
        int oh, int w, int c, int taps)
    {
        int rowLength = w * c;
        int total = oh * rowLength;
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += step)
        {
            int col = i % rowLength;
            int oy = i / rowLength;
            int first = bounds[2 * oy], count = bounds[2 * oy + 1];
            int acc = 1 << (PrecisionBits - 1);
            for (int k = 0; k < count; k++) acc += x[(first + k) * rowLength + col] * weights[oy * taps + k];
            y[i] = Clip8(acc);
        }
    }

    /// <summary>Pillow's clip8: the accumulator shifted down by the precision bits, clamped to [0, 255].</summary>
    public static byte Clip8(int acc)
    {
        int v = acc >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    /// <summary>Per-channel mean and std of <see cref="NormalizePad"/>.</summary>
    public struct Normalization
    {
        /// <summary>Means of output channels 0, 1, 2.</summary>
        public float Mean0, Mean1, Mean2;

        /// <summary>Standard deviations of output channels 0, 1, 2.</summary>
        public float Std0, Std1, Std2;

        /// <summary>1 when output channel c reads input channel 2 - c (RGB ↔ BGR).</summary>
        public int Reverse;
    }

    /// <summary>y[c, i, j] = ((float)x[i, j, c'] - mean[c]) / std[c] inside the image, 0 in the padding.</summary>
    // x: uint8 HWC [h, w, 3]; y: NCHW [1, 3, ph, pw]
    public static void NormalizePad(ArrayView<byte> x, ArrayView<float> y, int h, int w, int ph, int pw, Normalization n)
    {
        int total = 3 * ph * pw;
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += step)
        {
            int j = i % pw;
            int t = i / pw;
            int r = t % ph;
            int c = t / ph;
            float v = 0f;
            if (r < h && j < w)
            {
                int sc = n.Reverse != 0 ? 2 - c : c;
                float mean = c == 0 ? n.Mean0 : c == 1 ? n.Mean1 : n.Mean2;
                float std = c == 0 ? n.Std0 : c == 1 ? n.Std1 : n.Std2;
                v = ((float)x[(r * w + j) * 3 + sc] - mean) / std;
            }
            y[i] = v;
        }
    }
}
