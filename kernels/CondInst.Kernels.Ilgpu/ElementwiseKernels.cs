using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Element-wise kernels over flat buffers (any layout; index i is the element index). All are grid-stride loops:
/// the launch picks enough groups to fill the device, each thread then walks i, i + stride, ...
/// </summary>
public static class ElementwiseKernels
{
    /// <summary>Unary operation codes (the order of <c>UnaryOp</c> in the engine).</summary>
    public const int OpRelu = 0, OpSigmoid = 1, OpExp = 2, OpScale = 3, OpScaleReluScale = 4;

    /// <summary>y[i] = value for i &lt; n.</summary>
    // y: flat [n]
    public static void Fill<T>(ArrayView<T> y, int n, T value) where T : unmanaged
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride) y[i] = value;
    }

    /// <summary>y[i] = op(x[i]); y may alias x (each element is read before it is written by the same thread).</summary>
    // x, y: flat [n]
    public static void Unary(ArrayView<float> x, ArrayView<float> y, int n, int op, float alpha, float beta)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            float v = x[i];
            float r;
            if (op == OpRelu) r = KernelMath.Relu(v);
            else if (op == OpSigmoid) r = KernelMath.Sigmoid(v);
            else if (op == OpExp) r = KernelMath.Exp(v);
            else if (op == OpScale) r = alpha * v;
            else r = KernelMath.Relu(alpha * v) * beta;
            y[i] = r;
        }
    }

    /// <summary>y[i] = a[i] + b[i]; y may alias a or b.</summary>
    // a, b, y: flat [n]
    public static void Add(ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride) y[i] = a[i] + b[i];
    }

    /// <summary>y[i] = x[i] &gt; threshold ? 1 : 0 (strict; NaN gives 0).</summary>
    // x: flat float [n]; y: flat uint8 [n]
    public static void Threshold(ArrayView<float> x, ArrayView<byte> y, int n, float threshold)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride) y[i] = x[i] > threshold ? (byte)1 : (byte)0;
    }

    /// <summary>Per-channel affine: y = x·scale[c] + shift[c], then ReLU when <paramref name="relu"/> is 1; y may alias x.</summary>
    // x, y: NCHW [N, C, H, W] dense, hw = H·W; scale, shift: [C]
    public static void ChannelAffine(ArrayView<float> x, ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> y,
        int n, int channels, int hw, int relu)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            int c = i / hw % channels;
            float v = x[i] * scale[c] + shift[c];
            y[i] = relu != 0 ? KernelMath.Relu(v) : v;
        }
    }
}
