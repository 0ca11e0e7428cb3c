using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// Top-k, candidate decoding and gathers (sort steps in IlgpuBackend.Detection.Sort.cs, NMS in IlgpuBackend.Detection.Nms.cs).
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<float>, int, int, float, ArrayView<ulong>, ArrayView<int>>? _scoreCandidates;
    private Action<KernelConfig, ArrayView<ulong>, int, ArrayView<int>, ArrayView<float>>? _keysToCandidates;
    private Action<KernelConfig, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, DetectionKernels.DecodeParams>? _decode;
    private Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, int, int, int, int>? _gatherColumns;
    private Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, int, int, int>? _gatherRows;

    /// <inheritdoc/>
    /// <remarks>
    /// Candidates become 64-bit keys (inverted probability bits, flat index) appended on the device; the host reads
    /// their count (one int). When there are more than k, a radix select on the device keeps the k smallest keys;
    /// the survivors are bitonic-sorted and split back into indices and probabilities.
    /// </remarks>
    public int TopKScores(Tensor x, float threshold, int k, Tensor indices, Tensor probs)
    {
        OpChecks.TopKScores(this, x, k, indices, probs);
        int classes = x.Dim(1);
        int total = Count("topk_scores", x);
        if (k == 0 || total == 0) return 0;
        using var keys = Scratch(DType.Int32, 2L * PowerOfTwo(total));
        using var counter = Scratch(DType.Int32, 1);
        Fill(counter, 0f);
        (_scoreCandidates ??= _accelerator.LoadStreamKernel<ArrayView<float>, int, int, float, ArrayView<ulong>, ArrayView<int>>(
            DetectionKernels.ScoreCandidates))(Stride(total), Dev("topk_scores", x).View<float>(), classes, total / classes, threshold,
            keys.View<ulong>(), counter.View<int>());
        int count = ReadInt(counter);
        int m = Math.Min(k, count);
        if (m == 0) return 0;
        IlgpuTensor? selected = null;
        try
        {
            var sorted = keys;
            if (count > k) sorted = selected = SelectSmallest(keys, count, k);
            else if (PowerOfTwo(count) > count)
            {
                // The sort covers the first PowerOfTwo(count) keys: pad past the candidates.
                using var tail = keys.Slice(2 * count, 2 * (PowerOfTwo(count) - count));
                Fill(tail, -1f);
            }
            SortKeys(sorted, m);
            (_keysToCandidates ??= _accelerator.LoadStreamKernel<ArrayView<ulong>, int, ArrayView<int>, ArrayView<float>>(DetectionKernels.KeysToCandidates))(
                Stride(m), sorted.View<ulong>(), m, Dev("topk_scores", indices).View<int>(), Dev("topk_scores", probs).View<float>());
        }
        finally
        {
            selected?.Dispose();
        }
        return m;
    }

    /// <inheritdoc/>
    public void DecodeCandidates(Tensor indices, Tensor probs, int count, int numClasses, Tensor bboxPred, Tensor centerness,
        float stride, int imageH, int imageW, Tensor boxes, Tensor scores, Tensor labels, Tensor points, int offset)
    {
        OpChecks.DecodeCandidates(this, indices, probs, count, numClasses, bboxPred, centerness, boxes, scores, labels, points, offset);
        if (count == 0) return;
        var d = new DetectionKernels.DecodeParams
        {
            Count = count,
            Classes = numClasses,
            Width = bboxPred.Dim(3),
            Points = checked(bboxPred.Dim(2) * bboxPred.Dim(3)),
            Offset = offset,
            Stride = stride,
            ImageW = imageW,
            ImageH = imageH,
        };
        (_decode ??= _accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, DetectionKernels.DecodeParams>(
            DetectionKernels.Decode))(Stride(count), Dev("decode_candidates", indices).View<int>(), Dev("decode_candidates", probs).View<float>(),
            Dev("decode_candidates", bboxPred).View<float>(), Dev("decode_candidates", centerness).View<float>(),
            Dev("decode_candidates", boxes).View<float>(), Dev("decode_candidates", scores).View<float>(),
            Dev("decode_candidates", labels).View<int>(), Dev("decode_candidates", points).View<int>(), _errors.View, d);
    }

    /// <inheritdoc/>
    public void GatherColumns(Tensor source, Tensor columns, int count, Tensor destination, int offset)
    {
        var (d, p) = OpChecks.GatherColumns(this, source, columns, count, destination, offset);
        long total = (long)count * d;
        if (total == 0) return;
        if (total > int.MaxValue) throw new ArgumentException($"gather_columns: {count} x {d} elements is too many");
        (_gatherColumns ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, int, int, int, int>(
            DetectionKernels.GatherColumns))(Stride(total), Dev("gather_columns", source).View<float>(), Dev("gather_columns", columns).View<int>(),
            Dev("gather_columns", destination).View<float>(), _errors.View, count, d, p, offset);
    }

    /// <inheritdoc/>
    public void GatherRows(Tensor source, Tensor rows, int count, Tensor destination)
    {
        int d = OpChecks.GatherRows(this, source, rows, count, destination);
        long total = (long)count * d;
        if (total == 0) return;
        if (total > int.MaxValue) throw new ArgumentException($"gather_rows: {count} x {d} elements is too many");
        (_gatherRows ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>, int, int, int>(
            DetectionKernels.GatherRows))(Stride(total), Dev("gather_rows", source).View<float>(), Dev("gather_rows", rows).View<int>(),
            Dev("gather_rows", destination).View<float>(), _errors.View, count, d, source.Dim(0));
    }
}
