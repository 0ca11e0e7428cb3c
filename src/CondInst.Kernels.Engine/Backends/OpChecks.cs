namespace CondInst.Kernels;

/// <summary>
/// Argument checks shared by every backend, so that each operation rejects bad shapes with the same clear
/// message (operation, argument, expected, found) before any kernel runs.
/// </summary>
public static partial class OpChecks
{
    /// <summary>Throws unless <paramref name="t"/> has the given dtype and rank.</summary>
    public static void Require(string op, string name, Tensor t, DType dtype, int rank)
    {
        if (t.DType != dtype || t.Rank != rank)
            throw new ArgumentException($"{op}: {name} must be {dtype.ToString().ToLowerInvariant()} of rank {rank}, found {t}");
    }

    /// <summary>Throws unless <paramref name="t"/> has exactly <paramref name="shape"/> and dtype.</summary>
    public static void RequireShape(string op, string name, Tensor t, DType dtype, params int[] shape)
    {
        if (t.DType != dtype || !t.Shape.SequenceEqual(shape))
            throw new ArgumentException($"{op}: {name} must be {dtype.ToString().ToLowerInvariant()}{Tensor.Format(shape)}, found {t}");
    }

    /// <summary>Throws unless <paramref name="t"/> is a float32 NCHW tensor.</summary>
    public static void Nchw(string op, string name, Tensor t) => Require(op, name, t, DType.Float32, 4);

    /// <summary>Throws unless the tensor belongs to <paramref name="backend"/>.</summary>
    public static void OnBackend(string op, IBackend backend, params Tensor?[] tensors)
    {
        foreach (var t in tensors)
            if (t != null && !ReferenceEquals(t.Backend, backend))
                throw new ArgumentException($"{op}: tensor {t} lives on {t.Backend.Device.Id}, not on {backend.Device.Id}");
    }

    /// <summary>Checks a convolution call; returns (N, H, W, OH, OW).</summary>
    public static (int N, int H, int W, int OH, int OW) Conv2d(IBackend b, IPreparedConv conv, Tensor x, Tensor y, Tensor? residual)
    {
        const string op = "conv2d";
        var s = conv.Spec;
        Nchw(op, "x", x);
        OnBackend(op, b, x, y, residual);
        if (x.Dim(1) != s.InChannels)
            throw new ArgumentException($"{op}: x has {x.Dim(1)} channels, the convolution expects {s.InChannels} ({x})");
        int n = x.Dim(0), h = x.Dim(2), w = x.Dim(3);
        int oh = s.OutH(h), ow = s.OutW(w);
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"{op}: input {x} is too small for kernel {s.KernelH}x{s.KernelW} with padding {s.PadH},{s.PadW}");
        RequireShape(op, "y", y, DType.Float32, n, s.OutChannels, oh, ow);
        if (residual != null) RequireShape(op, "residual", residual, DType.Float32, n, s.OutChannels, oh, ow);
        return (n, h, w, oh, ow);
    }

    /// <summary>Checks a prepared convolution's weights; returns nothing, throws on mismatch.</summary>
    public static void ConvWeights(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> scale)
    {
        spec.Validate();
        if (weight.Length != spec.WeightCount)
            throw new ArgumentException($"conv2d: weight has {weight.Length} elements, {spec} needs {spec.WeightCount}");
        if (!bias.IsEmpty && bias.Length != spec.OutChannels)
            throw new ArgumentException($"conv2d: bias has {bias.Length} elements, expected {spec.OutChannels} or none");
        if (!scale.IsEmpty && scale.Length != spec.OutChannels)
            throw new ArgumentException($"conv2d: scale has {scale.Length} elements, expected {spec.OutChannels} or none");
    }

    /// <summary>Checks a per-channel normalisation call (GroupNorm, ChannelAffine).</summary>
    public static void PerChannel(string op, IBackend b, Tensor x, Tensor p0, Tensor p1, Tensor y)
    {
        Nchw(op, "x", x);
        OnBackend(op, b, x, p0, p1, y);
        RequireShape(op, "y", y, DType.Float32, x.Shape.ToArray());
        RequireShape(op, "per-channel parameter", p0, DType.Float32, x.Dim(1));
        RequireShape(op, "per-channel parameter", p1, DType.Float32, x.Dim(1));
    }

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

    /// <summary>Checks that two tensors have the same dtype and element count.</summary>
    public static void SameLength(string op, IBackend b, Tensor x, Tensor y, DType xType, DType yType)
    {
        OnBackend(op, b, x, y);
        if (x.DType != xType) throw new ArgumentException($"{op}: x must be {xType}, found {x}");
        if (y.DType != yType) throw new ArgumentException($"{op}: y must be {yType}, found {y}");
        if (x.Length != y.Length) throw new ArgumentException($"{op}: x {x} and y {y} must have the same number of elements");
    }

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
