namespace CondInst.Kernels;

public static partial class OpChecks
{
    /// <summary>Checks that y is NCHW float32 with x's N and C (spatial size free).</summary>
    public static void SameBatchAndChannels(string op, IBackend b, Tensor x, Tensor y)
    {
        Nchw(op, "x", x);
        Nchw(op, "y", y);
        OnBackend(op, b, x, y);
        if (x.Dim(0) != y.Dim(0) || x.Dim(1) != y.Dim(1))
            throw new ArgumentException($"{op}: y {y} must have the batch and channels of x {x}");
    }

    /// <summary>Checks a max-pool call.</summary>
    public static void MaxPool2d(IBackend b, Tensor x, int kernel, int stride, int padding, Tensor y)
    {
        const string op = "max_pool2d";
        if (kernel <= 0 || stride <= 0 || padding < 0 || padding > kernel / 2)
            throw new ArgumentException($"{op}: kernel {kernel}, stride {stride}, padding {padding}: need kernel, stride > 0 and 0 ≤ padding ≤ kernel/2");
        SameBatchAndChannels(op, b, x, y);
        int oh = (x.Dim(2) + 2 * padding - kernel) / stride + 1, ow = (x.Dim(3) + 2 * padding - kernel) / stride + 1;
        if (oh <= 0 || ow <= 0) throw new ArgumentException($"{op}: input {x} is smaller than the {kernel}x{kernel} window");
        RequireShape(op, "y", y, DType.Float32, x.Dim(0), x.Dim(1), oh, ow);
    }

    /// <summary>Checks an aligned_bilinear call.</summary>
    public static void AlignedBilinear(IBackend b, Tensor x, int factor, Tensor y)
    {
        const string op = "aligned_bilinear";
        if (factor < 1) throw new ArgumentException($"{op}: factor must be ≥ 1, found {factor}");
        SameBatchAndChannels(op, b, x, y);
        if (y.Dim(2) > factor * x.Dim(2) || y.Dim(3) > factor * x.Dim(3))
            throw new ArgumentException($"{op}: y {y} exceeds {factor}x the size of x {x}");
    }
}
