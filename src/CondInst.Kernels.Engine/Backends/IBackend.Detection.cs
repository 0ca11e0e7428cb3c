namespace CondInst.Kernels;

public partial interface IBackend
{
    /// <summary>
    /// Score filter and top-k over class logits x = float32 [1, C, H, W] (P = H·W points). Candidates are all
    /// pairs (p, c) with prob = sigmoid(x[c, p]) &gt; <paramref name="threshold"/> (strict), identified by the
    /// flat index p·C + c. They are ordered by prob descending, ties by flat index ascending (a stable order),
    /// and the first m = min(k, candidates) are written to <paramref name="indices"/> (int32, length ≥ k) and
    /// <paramref name="probs"/> (float32, length ≥ k). Returns m (this waits for the device).
    /// </summary>
    int TopKScores(Tensor x, float threshold, int k, Tensor indices, Tensor probs);

    /// <summary>
    /// Decodes <paramref name="count"/> point candidates of one feature level (distance-to-box coder). For candidate
    /// i with flat index f = indices[i]: p = f / numClasses, label = f % numClasses, point
    /// (px, py) = ((p % W + 0.5)·stride, (p / W + 0.5)·stride); with (l, t, r, b) = bboxPred[0, 0..3, p]:
    /// box = (px - l, py - t, px + r, py + b), x clamped to [0, imageW], y to [0, imageH];
    /// score = probs[i] · sigmoid(centerness[0, 0, p]). Writes row offset + i of <paramref name="boxes"/> (float32
    /// [M, 4]), <paramref name="scores"/> (float32 [M]), <paramref name="labels"/> and <paramref name="points"/>
    /// (int32 [M], the point index p).
    /// </summary>
    void DecodeCandidates(Tensor indices, Tensor probs, int count, int numClasses, Tensor bboxPred, Tensor centerness,
        float stride, int imageH, int imageW, Tensor boxes, Tensor scores, Tensor labels, Tensor points, int offset);

    /// <summary>
    /// Class-aware non-maximum suppression as mmcv's batched_nms on the first <paramref name="count"/> rows:
    /// rows with x2 - x1 ≤ 0 or y2 - y1 ≤ 0 are dropped first; each box is shifted by label·(maxCoord + 1)
    /// (float32, maxCoord over the remaining boxes) so classes never overlap; rows are visited by score descending
    /// (ties by row ascending) and a kept box suppresses every later box whose IoU
    /// inter / (area_i + area_j - inter) is &gt; <paramref name="iouThreshold"/> (strict, no +1 in sizes).
    /// Writes the kept row indices, in visiting order, to <paramref name="keep"/> (int32) and returns how many,
    /// at most <paramref name="maxKeep"/> (this waits for the device).
    /// </summary>
    int Nms(Tensor boxes, Tensor scores, Tensor labels, int count, float iouThreshold, int maxKeep, Tensor keep);

    /// <summary>
    /// destination[offset + i, d] = source[d, columns[i]] for i &lt; count, with source float32 [1, D, H, W] read as
    /// [D, H·W] and destination float32 [M, D].
    /// </summary>
    void GatherColumns(Tensor source, Tensor columns, int count, Tensor destination, int offset);

    /// <summary>destination[i, :] = source[rows[i], :] for i &lt; count; source and destination float32 [*, D].</summary>
    void GatherRows(Tensor source, Tensor rows, int count, Tensor destination);
}
