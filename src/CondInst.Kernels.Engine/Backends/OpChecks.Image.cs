namespace CondInst.Kernels;

public static partial class OpChecks
{
    /// <summary>Checks Pillow resize arguments; returns channels.</summary>
    public static int Resize(IBackend b, Tensor x, Tensor y)
    {
        const string op = "resize_pillow_bilinear";
        Require(op, "x", x, DType.UInt8, 3);
        Require(op, "y", y, DType.UInt8, 3);
        OnBackend(op, b, x, y);
        if (x.Dim(2) != y.Dim(2)) throw new ArgumentException($"{op}: x {x} and y {y} must have the same channel count");
        if (x.Dim(0) == 0 || x.Dim(1) == 0 || y.Dim(0) == 0 || y.Dim(1) == 0)
            throw new ArgumentException($"{op}: empty image x {x} or y {y}");
        return x.Dim(2);
    }

    /// <summary>Checks normalise-and-pad arguments.</summary>
    public static void NormalizePad(IBackend b, Tensor x, Tensor y, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        const string op = "normalize_pad";
        Require(op, "x", x, DType.UInt8, 3);
        Nchw(op, "y", y);
        OnBackend(op, b, x, y);
        if (x.Dim(2) != 3) throw new ArgumentException($"{op}: x must have 3 channels, found {x}");
        if (y.Dim(0) != 1 || y.Dim(1) != 3 || y.Dim(2) < x.Dim(0) || y.Dim(3) < x.Dim(1))
            throw new ArgumentException($"{op}: y must be [1, 3, ≥{x.Dim(0)}, ≥{x.Dim(1)}], found {y}");
        if (mean.Length != 3 || std.Length != 3) throw new ArgumentException($"{op}: mean and std need 3 values each");
    }
}
