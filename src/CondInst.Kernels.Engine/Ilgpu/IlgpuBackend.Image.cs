using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// Pillow-exact resize and normalise-and-pad.
//
// Scratch tensors (coefficients, intermediates) go back to the pool as soon as their kernels are queued: every
// operation and copy runs in order on the default stream, so a later user of the same buffer cannot start before
// these kernels end.
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<byte>, ArrayView<byte>, ArrayView<int>, ArrayView<int>, int, int, int, int, int>? _resizeH;
    private Action<KernelConfig, ArrayView<byte>, ArrayView<byte>, ArrayView<int>, ArrayView<int>, int, int, int, int>? _resizeV;
    private Action<KernelConfig, ArrayView<byte>, ArrayView<float>, int, int, int, int, ImageKernels.Normalization>? _normalizePad;

    /// <inheritdoc/>
    public void ResizePillowBilinear(Tensor x, Tensor y)
    {
        int c = OpChecks.Resize(this, x, y);
        int h = x.Dim(0), w = x.Dim(1), oh = y.Dim(0), ow = y.Dim(1);
        Count("resize_pillow_bilinear", x);
        Count("resize_pillow_bilinear", y);
        if (ow == w && oh == h)
        {
            Copy(x, y);
            return;
        }
        // Horizontal pass first, through a rounded uint8 intermediate (straight into y when height is unchanged).
        var source = Dev("resize_pillow_bilinear", x);
        IlgpuTensor? tmp = null;
        try
        {
            if (ow != w)
            {
                var target = oh == h ? Dev("resize_pillow_bilinear", y) : tmp = (IlgpuTensor)Allocate(DType.UInt8, h, ow, c);
                var f = PillowResample.Create(w, ow);
                using var bounds = Upload<int>(f.Bounds, f.Bounds.Length);
                using var weights = Upload<int>(f.Weights, f.Weights.Length);
                (_resizeH ??= _accelerator.LoadStreamKernel<ArrayView<byte>, ArrayView<byte>, ArrayView<int>, ArrayView<int>, int, int, int, int, int>(
                    ImageKernels.ResizeHorizontal))(Stride((long)h * ow * c), source.View<byte>(), target.View<byte>(),
                    ((IlgpuTensor)bounds).View<int>(), ((IlgpuTensor)weights).View<int>(), h, w, ow, c, f.Taps);
                source = target;
            }
            if (oh != h)
            {
                var f = PillowResample.Create(h, oh);
                using var bounds = Upload<int>(f.Bounds, f.Bounds.Length);
                using var weights = Upload<int>(f.Weights, f.Weights.Length);
                (_resizeV ??= _accelerator.LoadStreamKernel<ArrayView<byte>, ArrayView<byte>, ArrayView<int>, ArrayView<int>, int, int, int, int>(
                    ImageKernels.ResizeVertical))(Stride((long)oh * ow * c), source.View<byte>(), Dev("resize_pillow_bilinear", y).View<byte>(),
                    ((IlgpuTensor)bounds).View<int>(), ((IlgpuTensor)weights).View<int>(), oh, ow, c, f.Taps);
            }
        }
        finally
        {
            tmp?.Dispose();
        }
    }

    /// <inheritdoc/>
    public void NormalizePad(Tensor x, Tensor y, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, bool reverseChannels)
    {
        OpChecks.NormalizePad(this, x, y, mean, std);
        int total = Count("normalize_pad", y);
        if (total == 0) return;
        var n = new ImageKernels.Normalization
        {
            Mean0 = mean[0],
            Mean1 = mean[1],
            Mean2 = mean[2],
            Std0 = std[0],
            Std1 = std[1],
            Std2 = std[2],
            Reverse = reverseChannels ? 1 : 0,
        };
        (_normalizePad ??= _accelerator.LoadStreamKernel<ArrayView<byte>, ArrayView<float>, int, int, int, int, ImageKernels.Normalization>(
            ImageKernels.NormalizePad))(Stride(total), Dev("normalize_pad", x).View<byte>(), Dev("normalize_pad", y).View<float>(),
            x.Dim(0), x.Dim(1), y.Dim(2), y.Dim(3), n);
    }
}
