using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// The fused mask paste.
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<float>, ArrayView<byte>, int, int, int, int, int, int, int, int, float>? _pasteMasks;

    /// <inheritdoc/>
    public void PasteMasks(Tensor probs, int factor, int cropH, int cropW, float threshold, Tensor masks)
    {
        const string op = "paste_masks";
        OpChecks.PasteMasks(this, probs, factor, cropH, cropW, masks);
        int total = Count(op, masks);
        if (total == 0) return;
        (_pasteMasks ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<byte>, int, int, int, int, int, int, int, int, float>(MaskPasteKernels.Paste))(
            Stride(total), Dev(op, probs).View<float>(), Dev(op, masks).View<byte>(), probs.Dim(0), probs.Dim(2), probs.Dim(3),
            cropH, cropW, masks.Dim(1), masks.Dim(2), factor, threshold);
    }
}
