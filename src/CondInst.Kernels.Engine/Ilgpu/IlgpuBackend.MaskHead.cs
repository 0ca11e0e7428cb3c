using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// The batched dynamic mask head: one launch for all instances.
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float>? _maskHead;

    /// <inheritdoc/>
    public void DynamicMaskHead(Tensor features, Tensor parameters, Tensor instances, float featureStride, float sizeOfInterest, Tensor logits)
    {
        int n = OpChecks.DynamicMaskHead(this, features, parameters, instances, logits);
        int h = features.Dim(2), w = features.Dim(3);
        Count("dynamic_mask_head", logits);
        if (n == 0 || h * w == 0) return;
        // Grid (pixel blocks, instances): each group stages one instance's parameters once, then strides over pixels.
        int gs = GroupSize(Math.Max(32, PowerOfTwo(Math.Min(h * w, 256))));
        int resident = Math.Max(1, _accelerator.MaxNumThreads / gs);
        int blocks = Math.Clamp((h * w + gs - 1) / gs, 1, Math.Max(1, 4 * resident / n));
        if (n > 65535) throw new ArgumentException($"dynamic_mask_head: {n} instances exceed the launch limit of 65535");
        (_maskHead ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float>(
            MaskHeadKernels.DynamicMaskHead))(new KernelConfig(new Index2D(blocks, n), new Index2D(gs, 1)),
            Dev("dynamic_mask_head", features).View<float>(), Dev("dynamic_mask_head", parameters).View<float>(),
            Dev("dynamic_mask_head", instances).View<float>(), Dev("dynamic_mask_head", logits).View<float>(), h, w, featureStride, sizeOfInterest);
    }
}
