namespace CondInst.Kernels;

public static partial class OpChecks
{
    private static void Vector(string op, string name, Tensor t, DType dtype, int minLength)
    {
        if (t.DType != dtype || t.Length < minLength)
            throw new ArgumentException($"{op}: {name} must be {dtype.ToString().ToLowerInvariant()} with at least {minLength} elements, found {t}");
    }

    /// <summary>Checks a top-k call.</summary>
    public static void TopKScores(IBackend b, Tensor x, int k, Tensor indices, Tensor probs)
    {
        const string op = "topk_scores";
        Nchw(op, "x", x);
        OnBackend(op, b, x, indices, probs);
        if (x.Dim(0) != 1) throw new ArgumentException($"{op}: x must hold one image, found {x}");
        if (k < 0) throw new ArgumentException($"{op}: k must be ≥ 0, found {k}");
        Vector(op, "indices", indices, DType.Int32, k);
        Vector(op, "probs", probs, DType.Float32, k);
    }

    /// <summary>Checks a candidate-decode call.</summary>
    public static void DecodeCandidates(IBackend b, Tensor indices, Tensor probs, int count, int numClasses, Tensor bboxPred, Tensor centerness,
        Tensor boxes, Tensor scores, Tensor labels, Tensor points, int offset)
    {
        const string op = "decode_candidates";
        OnBackend(op, b, indices, probs, bboxPred, centerness, boxes, scores, labels, points);
        if (count < 0 || offset < 0 || numClasses <= 0) throw new ArgumentException($"{op}: count {count}, offset {offset} and classes {numClasses} must be non-negative (classes positive)");
        Vector(op, "indices", indices, DType.Int32, count);
        Vector(op, "probs", probs, DType.Float32, count);
        Nchw(op, "bboxPred", bboxPred);
        if (bboxPred.Dim(0) != 1 || bboxPred.Dim(1) != 4) throw new ArgumentException($"{op}: bboxPred must be [1, 4, H, W], found {bboxPred}");
        RequireShape(op, "centerness", centerness, DType.Float32, 1, 1, bboxPred.Dim(2), bboxPred.Dim(3));
        Require(op, "boxes", boxes, DType.Float32, 2);
        if (boxes.Dim(1) != 4 || boxes.Dim(0) < offset + count) throw new ArgumentException($"{op}: boxes must be [≥{offset + count}, 4], found {boxes}");
        Vector(op, "scores", scores, DType.Float32, offset + count);
        Vector(op, "labels", labels, DType.Int32, offset + count);
        Vector(op, "points", points, DType.Int32, offset + count);
    }

    /// <summary>Checks an NMS call.</summary>
    public static void Nms(IBackend b, Tensor boxes, Tensor scores, Tensor labels, int count, int maxKeep, Tensor keep)
    {
        const string op = "nms";
        OnBackend(op, b, boxes, scores, labels, keep);
        if (count < 0 || maxKeep < 0) throw new ArgumentException($"{op}: count {count} and maxKeep {maxKeep} must be ≥ 0");
        Require(op, "boxes", boxes, DType.Float32, 2);
        if (boxes.Dim(1) != 4 || boxes.Dim(0) < count) throw new ArgumentException($"{op}: boxes must be [≥{count}, 4], found {boxes}");
        Vector(op, "scores", scores, DType.Float32, count);
        Vector(op, "labels", labels, DType.Int32, count);
        Vector(op, "keep", keep, DType.Int32, Math.Min(count, maxKeep));
    }

    /// <summary>Checks a column gather; returns (D, P).</summary>
    public static (int D, int P) GatherColumns(IBackend b, Tensor source, Tensor columns, int count, Tensor destination, int offset)
    {
        const string op = "gather_columns";
        OnBackend(op, b, source, columns, destination);
        Nchw(op, "source", source);
        if (source.Dim(0) != 1) throw new ArgumentException($"{op}: source must hold one image, found {source}");
        int d = source.Dim(1), p = source.Dim(2) * source.Dim(3);
        Vector(op, "columns", columns, DType.Int32, count);
        Require(op, "destination", destination, DType.Float32, 2);
        if (destination.Dim(1) != d || destination.Dim(0) < offset + count)
            throw new ArgumentException($"{op}: destination must be [≥{offset + count}, {d}], found {destination}");
        return (d, p);
    }

    /// <summary>Checks a row gather; returns the row width D.</summary>
    public static int GatherRows(IBackend b, Tensor source, Tensor rows, int count, Tensor destination)
    {
        const string op = "gather_rows";
        OnBackend(op, b, source, rows, destination);
        Require(op, "source", source, DType.Float32, 2);
        Require(op, "destination", destination, DType.Float32, 2);
        Vector(op, "rows", rows, DType.Int32, count);
        if (destination.Dim(1) != source.Dim(1) || destination.Dim(0) < count)
            throw new ArgumentException($"{op}: destination must be [≥{count}, {source.Dim(1)}], found {destination}");
        return source.Dim(1);
    }
}
