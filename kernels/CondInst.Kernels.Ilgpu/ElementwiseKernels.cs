using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>Element-wise kernels over flat float32 buffers (any layout; index i is the element index).</summary>
public static class ElementwiseKernels
{
    /// <summary>y[i] = a[i] + b[i].</summary>
    public static void Add(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => y[i] = a[i] + b[i];
}
