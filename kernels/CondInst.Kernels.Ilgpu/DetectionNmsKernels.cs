using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Class-aware NMS as mmcv's batched_nms, in three device steps: prepare (size filter, class offset, areas,
/// sort keys), then after the sort a gather into visiting order, then the pairwise suppression bitmask
/// (bit b of word w of row a: box 64·w + b, later than a, has IoU &gt; threshold with a). The greedy scan over
/// the mask is sequential and runs on the host.
/// </summary>
public static class DetectionNmsKernels
{
    /// <summary>Largest thread-group size <see cref="Prepare"/> supports.</summary>
    public const int MaxThreads = 1024;

    /// <summary>
    /// One thread-group over all rows: drops boxes with x2 - x1 ≤ 0 or y2 - y1 ≤ 0, finds maxCoord over the rest,
    /// shifts each kept box by label·(maxCoord + 1) (product rounded once to float, as on the host), computes its
    /// area and the key (score descending, row ascending); dropped rows get key ulong.MaxValue (sorted last).
    /// validCount[0] receives the number of kept rows.
    /// </summary>
    // boxes: [count, 4] x1 y1 x2 y2; scores, labels: [count]; shifted: [count, 4]; areas: [count]; keys: [≥ count]
    public static void Prepare(ArrayView<float> boxes, ArrayView<float> scores, ArrayView<int> labels, int count,
        ArrayView<float> shifted, ArrayView<float> areas, ArrayView<ulong> keys, ArrayView<int> validCount)
    {
        var partialMax = SharedMemory.Allocate<float>(MaxThreads);
        var partialCount = SharedMemory.Allocate<int>(MaxThreads);
        int t = Group.IdxX, threads = Group.DimX;
        float m = float.NegativeInfinity;
        int valid = 0;
        for (int i = t; i < count; i += threads)
        {
            float x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3];
            if (x2 - x1 > 0f && y2 - y1 > 0f)
            {
                valid++;
                m = Max(Max(m, x1), Max(y1, Max(x2, y2)));
            }
        }
        partialMax[t] = m;
        partialCount[t] = valid;
        Group.Barrier();
        float maxCoord = float.NegativeInfinity;
        int total = 0;
        for (int i = 0; i < threads; i++)
        {
            maxCoord = Max(maxCoord, partialMax[i]);
            total += partialCount[i];
        }
        if (t == 0) validCount[0] = total;
        float unit = maxCoord + 1f;
        for (int i = t; i < count; i += threads)
        {
            float x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3];
            if (x2 - x1 > 0f && y2 - y1 > 0f)
            {
                float off = KernelMath.MulNoFma(labels[i], unit);
                float s1 = x1 + off, t1 = y1 + off, s2 = x2 + off, t2 = y2 + off;
                shifted[4 * i] = s1;
                shifted[4 * i + 1] = t1;
                shifted[4 * i + 2] = s2;
                shifted[4 * i + 3] = t2;
                areas[i] = KernelMath.MulNoFma(s2 - s1, t2 - t1);
                keys[i] = KernelMath.DescendingKey(scores[i], i);
            }
            else
            {
                keys[i] = ulong.MaxValue;
            }
        }
    }

    // MathF.Max for non-NaN inputs.
    private static float Max(float a, float b) => a > b ? a : b;

    /// <summary>Rows in visiting order: order[pos] = row of sorted key pos, with its shifted box and area.</summary>
    // sortedKeys: [≥ valid]; shifted: [count, 4]; areas: [count]; order: [valid]; boxesSorted: [valid, 4]; areasSorted: [valid]
    public static void GatherSorted(ArrayView<ulong> sortedKeys, int valid, ArrayView<float> shifted, ArrayView<float> areas,
        ArrayView<int> order, ArrayView<float> boxesSorted, ArrayView<float> areasSorted)
    {
        int step = Grid.DimX * Group.DimX;
        for (int pos = Grid.GlobalIndex.X; pos < valid; pos += step)
        {
            int row = KernelMath.KeyIndex(sortedKeys[pos]);
            order[pos] = row;
            boxesSorted[4 * pos] = shifted[4 * row];
            boxesSorted[4 * pos + 1] = shifted[4 * row + 1];
            boxesSorted[4 * pos + 2] = shifted[4 * row + 2];
            boxesSorted[4 * pos + 3] = shifted[4 * row + 3];
            areasSorted[pos] = areas[row];
        }
    }

    /// <summary>
    /// Suppression mask: one thread per (row a, word w); bit b set when box 64·w + b comes after a and
    /// inter / (area_a + area_b - inter) &gt; threshold (float32, the product inter rounded before the subtraction).
    /// </summary>
    // boxesSorted: [valid, 4]; areasSorted: [valid]; mask: [valid, words] (64 boxes per word)
    public static void Mask(ArrayView<float> boxesSorted, ArrayView<float> areasSorted, int valid, int words, float threshold,
        ArrayView<ulong> mask)
    {
        int total = valid * words;
        int step = Grid.DimX * Group.DimX;
        for (int q = Grid.GlobalIndex.X; q < total; q += step)
        {
            int a = q / words, w = q - a * words;
            ulong bits = 0;
            int first = 64 * w;
            if (first + 63 > a)
            {
                float ax1 = boxesSorted[4 * a], ay1 = boxesSorted[4 * a + 1], ax2 = boxesSorted[4 * a + 2], ay2 = boxesSorted[4 * a + 3];
                float areaA = areasSorted[a];
                int start = first > a + 1 ? first : a + 1;
                int end = first + 64 < valid ? first + 64 : valid;
                for (int b = start; b < end; b++)
                {
                    float xx1 = Max(ax1, boxesSorted[4 * b]), yy1 = Max(ay1, boxesSorted[4 * b + 1]);
                    float xx2 = Min(ax2, boxesSorted[4 * b + 2]), yy2 = Min(ay2, boxesSorted[4 * b + 3]);
                    float inter = KernelMath.MulNoFma(Max(0f, xx2 - xx1), Max(0f, yy2 - yy1));
                    float iou = inter / (areaA + areasSorted[b] - inter);
                    if (iou > threshold) bits |= 1UL << (b - first);
                }
            }
            mask[q] = bits;
        }
    }

    // MathF.Min for non-NaN inputs.
    private static float Min(float a, float b) => a < b ? a : b;
}
