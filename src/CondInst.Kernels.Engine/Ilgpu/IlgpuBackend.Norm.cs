using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// GroupNorm and the per-channel affine.
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float, int>? _groupNorm;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>? _channelAffine;

    /// <inheritdoc/>
    public void GroupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, bool relu, Tensor y)
    {
        OpChecks.GroupNorm(this, x, gamma, beta, groups, y);
        int n = x.Dim(0), c = x.Dim(1), hw = x.Dim(2) * x.Dim(3);
        Count("group_norm", x);
        if (n == 0 || hw == 0) return;
        // One thread-group per (image, group) striding over its (C/groups)·H·W values: at least 8 values per thread
        // and at least a warp, up to 1024 threads for large maps (a batch of one image has only `groups` groups,
        // so each must keep many loads in flight).
        int count = c / groups * hw;
        var config = new KernelConfig(n * groups, GroupSize(Math.Clamp(PowerOfTwo(count / 8), 32, NormKernels.MaxThreads)));
        (_groupNorm ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float, int>(
            NormKernels.GroupNorm))(config, Dev("group_norm", x).View<float>(), Dev("group_norm", gamma).View<float>(),
            Dev("group_norm", beta).View<float>(), Dev("group_norm", y).View<float>(), groups, c / groups, hw, eps, relu ? 1 : 0);
    }

    /// <inheritdoc/>
    public void ChannelAffine(Tensor x, Tensor scale, Tensor shift, bool relu, Tensor y)
    {
        OpChecks.PerChannel("channel_affine", this, x, scale, shift, y);
        int total = Count("channel_affine", x);
        if (total == 0) return;
        (_channelAffine ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>(
            ElementwiseKernels.ChannelAffine))(Stride(total), Dev("channel_affine", x).View<float>(), Dev("channel_affine", scale).View<float>(),
            Dev("channel_affine", shift).View<float>(), Dev("channel_affine", y).View<float>(), total, x.Dim(1), x.Dim(2) * x.Dim(3), relu ? 1 : 0);
    }
}
