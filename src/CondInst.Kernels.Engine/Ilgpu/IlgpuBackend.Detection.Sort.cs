using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// Device sort and selection of 64-bit keys (shared by top-k and NMS). Keys live in int32 scratch tensors of
// twice the length, viewed as ulong; all-ones bytes (int -1) make the padding key ulong.MaxValue.
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<ulong>, int>? _bitonicBlock;
    private Action<KernelConfig, ArrayView<ulong>, int>? _bitonicMergeBlock;
    private Action<KernelConfig, ArrayView<ulong>, int, int, int>? _bitonicGlobalStep;
    private Action<KernelConfig, ArrayView<ulong>, int, ArrayView<long>, ArrayView<int>>? _radixHistogram;
    private Action<KernelConfig, ArrayView<long>, ArrayView<int>>? _radixSelect;
    private Action<KernelConfig, ArrayView<ulong>, int, ArrayView<long>, ArrayView<ulong>, ArrayView<int>>? _radixCompact;

    /// <summary>Smallest power of two ≥ max(n, 1).</summary>
    private static int PowerOfTwo(int n)
    {
        int p = 1;
        while (p < n) p = checked(p * 2);
        return p;
    }

    /// <summary>A scratch key array with room for a bitonic sort of <paramref name="n"/> keys, [n, P) preset to ulong.MaxValue.</summary>
    private IlgpuTensor KeyScratch(int n)
    {
        int p = PowerOfTwo(n);
        var t = Scratch(DType.Int32, 2L * p);
        if (p > n)
        {
            using var tail = t.Slice(2 * n, 2 * (p - n));
            Fill(tail, -1f);
        }
        return t;
    }

    /// <summary>Sorts the first P = PowerOfTwo(n) keys of <paramref name="keys"/> ascending (entries past n must be padding).</summary>
    private void SortKeys(IlgpuTensor keys, int n)
    {
        int p = PowerOfTwo(n);
        var view = keys.View<ulong>().SubView(0, p);
        // One thread per compare-exchange pair of a block, up to 256 (at least a warp).
        int gs = GroupSize(Math.Clamp(Math.Min(p, DetectionSortKernels.BlockKeys) / 2, 32, 256));
        _bitonicBlock ??= _accelerator.LoadStreamKernel<ArrayView<ulong>, int>(DetectionSortKernels.BitonicBlock);
        if (p <= DetectionSortKernels.BlockKeys)
        {
            _bitonicBlock(new KernelConfig(1, gs), view, p);
            return;
        }
        // Blocks sorted in shared memory, then per larger stage: global steps for the long strides and one
        // shared-memory pass per block for the strides below the block size.
        int blocks = p / DetectionSortKernels.BlockKeys;
        _bitonicBlock(new KernelConfig(blocks, gs), view, DetectionSortKernels.BlockKeys);
        _bitonicGlobalStep ??= _accelerator.LoadStreamKernel<ArrayView<ulong>, int, int, int>(DetectionSortKernels.BitonicGlobalStep);
        _bitonicMergeBlock ??= _accelerator.LoadStreamKernel<ArrayView<ulong>, int>(DetectionSortKernels.BitonicMergeBlock);
        for (int stage = 2 * DetectionSortKernels.BlockKeys; stage <= p; stage *= 2)
        {
            for (int stride = stage / 2; stride >= DetectionSortKernels.BlockKeys; stride /= 2)
                _bitonicGlobalStep(Stride(p / 2), view, p, stage, stride);
            _bitonicMergeBlock(new KernelConfig(blocks, gs), view, stage);
        }
    }

    /// <summary>
    /// Moves the <paramref name="k"/> smallest of <paramref name="count"/> unique keys into a new key array (unsorted,
    /// padded for <see cref="SortKeys"/>): an MSB-first radix select, 8 bits per pass, decided on the device.
    /// </summary>
    private IlgpuTensor SelectSmallest(IlgpuTensor keys, int count, int k)
    {
        var selected = KeyScratch(k);
        // DetectionSortKernels state as four little-endian longs: prefix 0, need k, shift 56, not done.
        using var state = (IlgpuTensor)Upload<int>([0, 0, k, 0, 56, 0, 0, 0], 8);
        using var hist = Scratch(DType.Int32, DetectionSortKernels.RadixBins);
        using var counter = Scratch(DType.Int32, 1);
        Fill(hist, 0f);
        Fill(counter, 0f);
        var keyView = keys.View<ulong>().SubView(0, count);
        _radixHistogram ??= _accelerator.LoadStreamKernel<ArrayView<ulong>, int, ArrayView<long>, ArrayView<int>>(DetectionSortKernels.RadixHistogram);
        _radixSelect ??= _accelerator.LoadStreamKernel<ArrayView<long>, ArrayView<int>>(DetectionSortKernels.RadixSelect);
        for (int pass = 0; pass < 8; pass++)
        {
            _radixHistogram(Stride(count), keyView, count, state.View<long>(), hist.View<int>());
            _radixSelect(new KernelConfig(1, 1), state.View<long>(), hist.View<int>());
        }
        (_radixCompact ??= _accelerator.LoadStreamKernel<ArrayView<ulong>, int, ArrayView<long>, ArrayView<ulong>, ArrayView<int>>(DetectionSortKernels.RadixCompact))(
            Stride(count), keyView, count, state.View<long>(), selected.View<ulong>(), counter.View<int>());
        return selected;
    }

    /// <summary>Reads one int from the device (waits for the stream).</summary>
    private int ReadInt(IlgpuTensor t)
    {
        Span<int> v = stackalloc int[1];
        t.View<int>().SubView(0, 1).CopyToCPU(_accelerator.DefaultStream, v);
        _accelerator.DefaultStream.Synchronize();
        ThrowOnKernelErrors();
        return v[0];
    }
}
