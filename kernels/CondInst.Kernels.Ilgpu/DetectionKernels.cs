using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Detection post-processing: score filter into sort keys for top-k, candidate decoding and the gathers.
/// Bad indices never read out of bounds: they are skipped and reported through errors[0] (bit flags), which
/// the backend checks at its next synchronisation.
/// </summary>
public static class DetectionKernels
{
    /// <summary>Error flags of errors[0].</summary>
    public const int ErrorDecodeIndex = 1, ErrorGatherColumn = 2, ErrorGatherRow = 4;

    /// <summary>
    /// Appends a key for every (point p, class c) with prob = sigmoid(x[c, p]) &gt; threshold; the key orders by prob
    /// descending then flat index p·C + c ascending. counter[0] counts the candidates.
    /// </summary>
    // x: [C, P] (the logits [1, C, H, W], P = H·W); keys: [C·P]; counter: [1]
    public static void ScoreCandidates(ArrayView<float> x, int classes, int points, float threshold, ArrayView<ulong> keys,
        ArrayView<int> counter)
    {
        int total = classes * points;
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += step)
        {
            float prob = KernelMath.Sigmoid(x[i]);
            if (prob > threshold)
            {
                int c = i / points, p = i - c * points;
                keys[Atomic.Add(ref counter[0], 1)] = KernelMath.DescendingKey(prob, p * classes + c);
            }
        }
    }

    /// <summary>Splits sorted keys back into flat indices and probabilities.</summary>
    // keys: [m]; indices: int32 [≥ m]; probs: float [≥ m]
    public static void KeysToCandidates(ArrayView<ulong> keys, int m, ArrayView<int> indices, ArrayView<float> probs)
    {
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < m; i += step)
        {
            ulong key = keys[i];
            indices[i] = KernelMath.KeyIndex(key);
            probs[i] = KernelMath.KeyValue(key);
        }
    }

    /// <summary>Geometry of a <see cref="Decode"/> launch.</summary>
    public struct DecodeParams
    {
        /// <summary>Candidates to decode, classes per point, feature width and points (H·W).</summary>
        public int Count, Classes, Width, Points;

        /// <summary>First output row.</summary>
        public int Offset;

        /// <summary>Feature stride in pixels.</summary>
        public float Stride;

        /// <summary>Image size the boxes are clamped to.</summary>
        public float ImageW, ImageH;
    }

    /// <summary>Distance-to-box decoding of candidates into rows offset + i of the outputs.</summary>
    // indices, probs: [count]; bbox: [4, P] (ltrb planes of [1, 4, H, W]); ctr: [P]; boxes: [M, 4]; scores, labels, points: [M]
    public static void Decode(ArrayView<int> indices, ArrayView<float> probs, ArrayView<float> bbox, ArrayView<float> ctr,
        ArrayView<float> boxes, ArrayView<float> scores, ArrayView<int> labels, ArrayView<int> points, ArrayView<int> errors,
        DecodeParams d)
    {
        int step = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < d.Count; i += step)
        {
            int f = indices[i];
            if (f < 0 || f / d.Classes >= d.Points)
            {
                Atomic.Or(ref errors[0], ErrorDecodeIndex);
                continue;
            }
            int p = f / d.Classes, o = d.Offset + i;
            float px = (p % d.Width + 0.5f) * d.Stride, py = (p / d.Width + 0.5f) * d.Stride;
            boxes[4 * o + 0] = Clamp(px - bbox[p], d.ImageW);
            boxes[4 * o + 1] = Clamp(py - bbox[d.Points + p], d.ImageH);
            boxes[4 * o + 2] = Clamp(px + bbox[2 * d.Points + p], d.ImageW);
            boxes[4 * o + 3] = Clamp(py + bbox[3 * d.Points + p], d.ImageH);
            scores[o] = probs[i] * KernelMath.Sigmoid(ctr[p]);
            labels[o] = f - p * d.Classes;
            points[o] = p;
        }
    }

    // Math.Clamp(v, 0, max): NaN passes through.
    private static float Clamp(float v, float max) => v < 0f ? 0f : v > max ? max : v;

    /// <summary>destination[offset + i, k] = source[k, columns[i]].</summary>
    // source: [D, P]; columns: [count]; destination: [M, D]
    public static void GatherColumns(ArrayView<float> source, ArrayView<int> columns, ArrayView<float> destination,
        ArrayView<int> errors, int count, int d, int p, int offset)
    {
        int total = count * d;
        int step = Grid.DimX * Group.DimX;
        for (int q = Grid.GlobalIndex.X; q < total; q += step)
        {
            int i = q / d, k = q - i * d;
            int col = columns[i];
            if ((uint)col >= (uint)p)
            {
                Atomic.Or(ref errors[0], ErrorGatherColumn);
                continue;
            }
            destination[(offset + i) * d + k] = source[k * p + col];
        }
    }

    /// <summary>destination[i, :] = source[rows[i], :].</summary>
    // source: [R, D]; rows: [count]; destination: [≥ count, D]
    public static void GatherRows(ArrayView<float> source, ArrayView<int> rows, ArrayView<float> destination,
        ArrayView<int> errors, int count, int d, int sourceRows)
    {
        int total = count * d;
        int step = Grid.DimX * Group.DimX;
        for (int q = Grid.GlobalIndex.X; q < total; q += step)
        {
            int i = q / d, k = q - i * d;
            int r = rows[i];
            if ((uint)r >= (uint)sourceRows)
            {
                Atomic.Or(ref errors[0], ErrorGatherRow);
                continue;
            }
            destination[q] = source[r * d + k];
        }
    }
}
