using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>GroupNorm: one thread-group per (image, channel group), reductions in group-shared memory.</summary>
public static class NormKernels
{
    /// <summary>Largest thread-group size the kernel supports (size of its shared partial-sum arrays).</summary>
    public const int MaxThreads = 1024;

    /// <summary>
    /// GroupNorm with optional fused ReLU; y may be x. Launch: grid N·groups, any power-of-two group size ≤ 1024.
    /// Numerically stable in float: values are shifted by the block's first element before summing (exact when
    /// they are close to it, as with a large mean and a small spread), the mean is kept as shift + delta so that
    /// x - mean = (x - shift) - delta loses nothing, and the variance is a second pass over centred values.
    /// Partial sums are combined in the same fixed order by every thread, so all threads agree on mean and variance.
    /// </summary>
    // x, y: NCHW [N, C, H, W] dense, block (n, g) = channels g·cpg .. g·cpg + cpg - 1 = count consecutive floats; gamma, beta: [C]
    public static void GroupNorm(ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> y,
        int groups, int cpg, int hw, float eps, int relu)
    {
        var partial1 = SharedMemory.Allocate<float>(MaxThreads);
        var partial2 = SharedMemory.Allocate<float>(MaxThreads);
        int t = Group.IdxX, threads = Group.DimX;
        int block = Grid.IdxX;
        int count = cpg * hw;
        int start = block * count;
        float shift = x[start];

        float s1 = 0f;
        for (int i = t; i < count; i += threads) s1 += x[start + i] - shift;
        partial1[t] = s1;
        Group.Barrier();
        float total1 = 0f;
        for (int i = 0; i < threads; i++) total1 += partial1[i];
        float delta = total1 / count;

        float s2 = 0f;
        for (int i = t; i < count; i += threads)
        {
            float c = (x[start + i] - shift) - delta;
            s2 += c * c;
        }
        partial2[t] = s2;
        // After this barrier every thread has finished reading x, so writing y in place is safe.
        Group.Barrier();
        float total2 = 0f;
        for (int i = 0; i < threads; i++) total2 += partial2[i];
        float inv = 1f / MathF.Sqrt(total2 / count + eps);

        int cBase = block % groups * cpg;
        for (int i = t; i < count; i += threads)
        {
            int c = cBase + i / hw;
            float v = ((x[start + i] - shift) - delta) * inv * gamma[c] + beta[c];
            y[start + i] = relu != 0 ? KernelMath.Relu(v) : v;
        }
    }
}
