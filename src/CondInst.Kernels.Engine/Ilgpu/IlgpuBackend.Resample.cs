using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// Max pooling and the upsampling family.
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int, int, int>? _maxPool;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int>? _nearest;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int>? _bilinear;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int>? _alignedBilinear;

    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, int kernel, int stride, int padding, Tensor y)
    {
        OpChecks.MaxPool2d(this, x, kernel, stride, padding, y);
        int total = Count("max_pool2d", y);
        if (total == 0) return;
        (_maxPool ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, int, int, int, int, int, int>(ResampleKernels.MaxPool))(
            Stride(total), Dev("max_pool2d", x).View<float>(), Dev("max_pool2d", y).View<float>(), x.Dim(0) * x.Dim(1),
            x.Dim(2), x.Dim(3), y.Dim(2), y.Dim(3), kernel, stride, padding);
    }

    /// <inheritdoc/>
    public void UpsampleNearest(Tensor x, Tensor y)
    {
        OpChecks.SameBatchAndChannels("upsample_nearest", this, x, y);
        int total = Count("upsample_nearest", y);
        if (total == 0) return;
        RequireSource("upsample_nearest", x);
        (_nearest ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, int, int, int>(ResampleKernels.Nearest))(
            Stride(total), Dev("upsample_nearest", x).View<float>(), Dev("upsample_nearest", y).View<float>(), x.Dim(0) * x.Dim(1),
            x.Dim(2), x.Dim(3), y.Dim(2), y.Dim(3));
    }

    /// <inheritdoc/>
    public void UpsampleBilinear(Tensor x, Tensor y, bool alignCorners)
    {
        OpChecks.SameBatchAndChannels("upsample_bilinear", this, x, y);
        int total = Count("upsample_bilinear", y);
        if (total == 0) return;
        RequireSource("upsample_bilinear", x);
        (_bilinear ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, int, int, int, int>(ResampleKernels.Bilinear))(
            Stride(total), Dev("upsample_bilinear", x).View<float>(), Dev("upsample_bilinear", y).View<float>(), x.Dim(0) * x.Dim(1),
            x.Dim(2), x.Dim(3), y.Dim(2), y.Dim(3), alignCorners ? 1 : 0);
    }

    /// <inheritdoc/>
    public void AlignedBilinear(Tensor x, int factor, Tensor y)
    {
        OpChecks.AlignedBilinear(this, x, factor, y);
        int total = Count("aligned_bilinear", y);
        if (total == 0) return;
        RequireSource("aligned_bilinear", x);
        (_alignedBilinear ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, int, int, int, int>(ResampleKernels.AlignedBilinear))(
            Stride(total), Dev("aligned_bilinear", x).View<float>(), Dev("aligned_bilinear", y).View<float>(), x.Dim(0) * x.Dim(1),
            x.Dim(2), x.Dim(3), y.Dim(2), y.Dim(3), factor);
    }

    // A non-empty output needs a non-empty source to read from.
    private static void RequireSource(string op, Tensor x)
    {
        if (x.Dim(2) == 0 || x.Dim(3) == 0) throw new ArgumentException($"{op}: cannot resize the empty image {x} to a non-empty one");
    }
}
