using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// Class-aware NMS (mmcv batched_nms semantics).
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, ArrayView<float>, ArrayView<float>, ArrayView<ulong>, ArrayView<int>>? _nmsPrepare;
    private Action<KernelConfig, ArrayView<ulong>, int, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>>? _nmsGather;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<ulong>>? _nmsMask;

    /// <inheritdoc/>
    /// <remarks>
    /// The device filters, offsets and sorts the boxes and computes the full pairwise suppression bitmask (64 boxes
    /// per word, one thread per row and word). The greedy pass over it is inherently sequential: on the device it
    /// would be one thread-group with a barrier per box (thousands of barriers, on one SM), while the host walks the
    /// downloaded mask (valid²/8 bytes, 3 MB for 5000 boxes) in microseconds. So the host does it, then uploads the
    /// kept rows.
    /// </remarks>
    public int Nms(Tensor boxes, Tensor scores, Tensor labels, int count, float iouThreshold, int maxKeep, Tensor keep)
    {
        OpChecks.Nms(this, boxes, scores, labels, count, maxKeep, keep);
        if (count == 0 || maxKeep == 0) return 0;
        using var shifted = Scratch(DType.Float32, 4L * count);
        using var areas = Scratch(DType.Float32, count);
        using var keys = KeyScratch(count);
        using var validCount = Scratch(DType.Int32, 1);
        (_nmsPrepare ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<int>, int, ArrayView<float>, ArrayView<float>, ArrayView<ulong>, ArrayView<int>>(
            DetectionNmsKernels.Prepare))(new KernelConfig(1, GroupSize(Math.Clamp(PowerOfTwo(count / 4), 32, Math.Min(256, DetectionNmsKernels.MaxThreads)))), Dev("nms", boxes).View<float>(),
            Dev("nms", scores).View<float>(), Dev("nms", labels).View<int>(), count, shifted.View<float>(), areas.View<float>(),
            keys.View<ulong>(), validCount.View<int>());
        int valid = ReadInt(validCount);
        if (valid == 0) return 0;

        // Dropped rows carry ulong.MaxValue keys, so the first `valid` sorted keys are the visiting order.
        SortKeys(keys, count);
        using var order = Scratch(DType.Int32, valid);
        using var boxesSorted = Scratch(DType.Float32, 4L * valid);
        using var areasSorted = Scratch(DType.Float32, valid);
        (_nmsGather ??= _accelerator.LoadStreamKernel<ArrayView<ulong>, int, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(
            DetectionNmsKernels.GatherSorted))(Stride(valid), keys.View<ulong>(), valid, shifted.View<float>(), areas.View<float>(),
            order.View<int>(), boxesSorted.View<float>(), areasSorted.View<float>());
        int words = (valid + 63) / 64;
        using var mask = Scratch(DType.Int32, 2L * valid * words);
        (_nmsMask ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<ulong>>(DetectionNmsKernels.Mask))(
            Stride((long)valid * words), boxesSorted.View<float>(), areasSorted.View<float>(), valid, words, iouThreshold, mask.View<ulong>());

        var maskHost = new ulong[(long)valid * words];
        var orderHost = new int[valid];
        mask.View<ulong>().CopyToCPU(_accelerator.DefaultStream, maskHost.AsSpan());
        order.View<int>().CopyToCPU(_accelerator.DefaultStream, orderHost.AsSpan());
        _accelerator.DefaultStream.Synchronize();
        ThrowOnKernelErrors();

        var removed = new ulong[words];
        var kept = new int[Math.Min(valid, maxKeep)];
        int m = 0;
        for (int a = 0; a < valid && m < maxKeep; a++)
        {
            if ((removed[a >> 6] & (1UL << (a & 63))) != 0) continue;
            kept[m++] = orderHost[a];
            long row = (long)a * words;
            for (int w = a >> 6; w < words; w++) removed[w] |= maskHost[row + w];
        }
        if (m > 0)
        {
            Dev("nms", keep).View<int>().SubView(0, m).CopyFromCPU(_accelerator.DefaultStream, kept.AsSpan(0, m));
            _accelerator.DefaultStream.Synchronize();
        }
        return m;
    }
}
