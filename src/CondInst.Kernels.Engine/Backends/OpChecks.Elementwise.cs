namespace CondInst.Kernels;

public static partial class OpChecks
{
    /// <summary>Checks that two tensors have the same dtype and element count.</summary>
    public static void SameLength(string op, IBackend b, Tensor x, Tensor y, DType xType, DType yType)
    {
        OnBackend(op, b, x, y);
        if (x.DType != xType) throw new ArgumentException($"{op}: x must be {xType}, found {x}");
        if (y.DType != yType) throw new ArgumentException($"{op}: y must be {yType}, found {y}");
        if (x.Length != y.Length) throw new ArgumentException($"{op}: x {x} and y {y} must have the same number of elements");
    }
}
