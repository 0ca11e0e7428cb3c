using ILGPU;

namespace CondInst.Kernels;

// Launch geometry chosen from the accelerator's limits.
public sealed partial class IlgpuBackend
{
    /// <summary>Threads per group the element-wise kernels prefer (capped by the device).</summary>
    private const int PreferredGroupSize = 256;

    /// <summary>
    /// The largest power of two ≤ min(<paramref name="preferred"/>, the device's maximum group size): every kernel
    /// is written for any power-of-two group size, so devices with small groups (ILGPU's default CPU device allows
    /// 16 threads) run the same code.
    /// </summary>
    internal int GroupSize(int preferred = PreferredGroupSize)
    {
        int max = Math.Min(Math.Min(preferred, _accelerator.MaxNumThreadsPerGroup), GroupLimit ?? int.MaxValue);
        int g = 1;
        while (g * 2 <= max) g *= 2;
        return g;
    }

    /// <summary>
    /// Caps every group size below the device's own limit (tests): with 16 the small-group code paths that ILGPU's
    /// default CPU device takes also run on OpenCL and CUDA devices; null uses the device's limit.
    /// </summary>
    internal int? GroupLimit { get; set; }

    /// <summary>
    /// A 1-D launch for a grid-stride loop over <paramref name="work"/> items: enough groups to cover the work, at
    /// most as many as the device keeps resident at once (its MaxNumThreads / group size), since each thread loops.
    /// </summary>
    internal KernelConfig Stride(long work, int preferred = PreferredGroupSize)
    {
        int gs = GroupSize(preferred);
        long groups = (work + gs - 1) / gs;
        int resident = Math.Max(1, _accelerator.MaxNumThreads / gs);
        return new KernelConfig((int)Math.Clamp(groups, 1, resident), gs);
    }
}
