using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Ascending sort of unique 64-bit keys (bitonic network) and selection of the k smallest keys (MSB-first radix
/// select), used by top-k and NMS. Keys are built so that ascending order is the order wanted
/// (<see cref="KernelMath.DescendingKey"/>); padding keys are ulong.MaxValue and sort last.
/// </summary>
public static class DetectionSortKernels
{
    /// <summary>Keys one thread-group sorts in group-shared memory (16 KB).</summary>
    public const int BlockKeys = 2048;

    /// <summary>Digits of the radix select: 8 bits, 256 bins.</summary>
    public const int RadixBins = 256;

    /// <summary>
    /// Runs every bitonic stage of size ≤ <paramref name="size"/> inside blocks of <paramref name="size"/> keys
    /// (a power of two ≤ <see cref="BlockKeys"/>), one thread-group per block. The direction of each compare uses the
    /// global index (ascending where (i &amp; stage) == 0), so blocks come out alternately ascending and descending,
    /// ready for the global merge stages; with a single block the result is fully sorted ascending.
    /// </summary>
    // keys: [blocks·size]
    public static void BitonicBlock(ArrayView<ulong> keys, int size)
    {
        var sh = SharedMemory.Allocate<ulong>(BlockKeys);
        int t = Group.IdxX, threads = Group.DimX;
        int baseIndex = Grid.IdxX * size;
        for (int i = t; i < size; i += threads) sh[i] = keys[baseIndex + i];
        Group.Barrier();
        for (int stage = 2; stage <= size; stage <<= 1)
        {
            for (int stride = stage >> 1; stride > 0; stride >>= 1)
            {
                CompareSwapShared(sh, baseIndex, size, stage, stride, t, threads);
                Group.Barrier();
            }
        }
        for (int i = t; i < size; i += threads) keys[baseIndex + i] = sh[i];
    }

    /// <summary>
    /// Finishes global stage <paramref name="stage"/> (&gt; block size) inside each block of
    /// <see cref="BlockKeys"/> keys: strides BlockKeys/2 .. 1, after <see cref="BitonicGlobalStep"/> did the larger ones.
    /// </summary>
    // keys: [blocks·BlockKeys]
    public static void BitonicMergeBlock(ArrayView<ulong> keys, int stage)
    {
        var sh = SharedMemory.Allocate<ulong>(BlockKeys);
        int t = Group.IdxX, threads = Group.DimX;
        int baseIndex = Grid.IdxX * BlockKeys;
        for (int i = t; i < BlockKeys; i += threads) sh[i] = keys[baseIndex + i];
        Group.Barrier();
        for (int stride = BlockKeys >> 1; stride > 0; stride >>= 1)
        {
            CompareSwapShared(sh, baseIndex, BlockKeys, stage, stride, t, threads);
            Group.Barrier();
        }
        for (int i = t; i < BlockKeys; i += threads) keys[baseIndex + i] = sh[i];
    }

    // Pairs (i, i + stride) of one block, i with bit `stride` clear; ascending where (global i & stage) == 0.
    private static void CompareSwapShared(ArrayView<ulong> sh, int baseIndex, int size, int stage, int stride, int t, int threads)
    {
        for (int q = t; q < size / 2; q += threads)
        {
            int i = 2 * stride * (q / stride) + q % stride;
            int l = i + stride;
            ulong a = sh[i], b = sh[l];
            bool ascending = ((baseIndex + i) & stage) == 0;
            if ((a > b) == ascending)
            {
                sh[i] = b;
                sh[l] = a;
            }
        }
    }

    /// <summary>One compare-exchange step of a bitonic network over the whole array, for strides ≥ the block size.</summary>
    // keys: [n], n a power of two
    public static void BitonicGlobalStep(ArrayView<ulong> keys, int n, int stage, int stride)
    {
        int half = n / 2;
        int step = Grid.DimX * Group.DimX;
        for (int q = Grid.GlobalIndex.X; q < half; q += step)
        {
            int i = 2 * stride * (q / stride) + q % stride;
            int l = i + stride;
            ulong a = keys[i], b = keys[l];
            bool ascending = (i & stage) == 0;
            if ((a > b) == ascending)
            {
                keys[i] = b;
                keys[l] = a;
            }
        }
    }

    /// <summary>
    /// Radix-select state: [0] prefix of the k-th smallest key found so far (the bits above shift + 8),
    /// [1] how many keys with that prefix still have to be taken, [2] shift of the current digit,
    /// [3] 1 once the selection is decided: it is then every key with (key &gt;&gt; [2]) ≤ [0].
    /// </summary>
    public const int StatePrefix = 0, StateNeed = 1, StateShift = 2, StateDone = 3;

    /// <summary>
    /// Counts, per value of the current 8-bit digit, the keys whose higher bits equal the prefix: a histogram per
    /// thread-group in shared memory, then added to the global one.
    /// </summary>
    // keys: [count]; state: [4]; hist: [256], zero on entry
    public static void RadixHistogram(ArrayView<ulong> keys, int count, ArrayView<long> state, ArrayView<int> hist)
    {
        var local = SharedMemory.Allocate<int>(RadixBins);
        int t = Group.IdxX, threads = Group.DimX;
        if (state[StateDone] != 0) return;
        int shift = (int)state[StateShift];
        ulong prefix = (ulong)state[StatePrefix];
        for (int b = t; b < RadixBins; b += threads) local[b] = 0;
        Group.Barrier();
        int step = Grid.DimX * threads;
        for (int i = Grid.GlobalIndex.X; i < count; i += step)
        {
            ulong key = keys[i];
            if (shift == 56 || key >> (shift + 8) == prefix)
                Atomic.Add(ref local[(int)((key >> shift) & 0xFF)], 1);
        }
        Group.Barrier();
        for (int b = t; b < RadixBins; b += threads)
        {
            int v = local[b];
            if (v != 0) Atomic.Add(ref hist[b], v);
        }
    }

    /// <summary>
    /// One thread picks the digit bin holding the k-th smallest key, extends the prefix, and either decides the
    /// selection (every key of that bin is taken) or moves to the next digit; it clears the histogram.
    /// </summary>
    // state: [4]; hist: [256]
    public static void RadixSelect(ArrayView<long> state, ArrayView<int> hist)
    {
        if (Grid.GlobalIndex.X != 0) return;
        if (state[StateDone] == 0)
        {
            long need = state[StateNeed];
            long before = 0;
            int bin = 0;
            for (int b = 0; b < RadixBins; b++)
            {
                if (before + hist[b] >= need)
                {
                    bin = b;
                    break;
                }
                before += hist[b];
            }
            long inBin = hist[bin];
            state[StatePrefix] = (state[StatePrefix] << 8) | (long)bin;
            state[StateNeed] = need - before;
            int shift = (int)state[StateShift];
            if (before + inBin == need || shift == 0) state[StateDone] = 1;
            else state[StateShift] = shift - 8;
        }
        for (int b = 0; b < RadixBins; b++) hist[b] = 0;
    }

    /// <summary>Appends every selected key (see the state) to <paramref name="selected"/>, counting in counter[0].</summary>
    // keys: [count]; state: [4]; selected: [k]; counter: [1]
    public static void RadixCompact(ArrayView<ulong> keys, int count, ArrayView<long> state, ArrayView<ulong> selected,
        ArrayView<int> counter)
    {
        int shift = (int)state[StateShift];
        ulong prefix = (ulong)state[StatePrefix];
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < count; i += step)
        {
            ulong key = keys[i];
            if (key >> shift <= prefix) selected[Atomic.Add(ref counter[0], 1)] = key;
        }
    }
}
