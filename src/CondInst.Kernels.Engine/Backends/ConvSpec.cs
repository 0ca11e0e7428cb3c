namespace CondInst.Kernels;

/// <summary>
/// Geometry of a 2-D convolution over NCHW input with weights [OutChannels, InChannels/Groups, KernelH, KernelW].
/// </summary>
public readonly record struct ConvSpec(
    int InChannels,
    int OutChannels,
    int KernelH,
    int KernelW,
    int StrideH = 1,
    int StrideW = 1,
    int PadH = 0,
    int PadW = 0,
    int DilationH = 1,
    int DilationW = 1,
    int Groups = 1)
{
    /// <summary>A square kernel with equal stride, padding and dilation on both axes.</summary>
    public static ConvSpec Square(int inChannels, int outChannels, int kernel, int stride = 1, int pad = 0, int dilation = 1, int groups = 1) =>
        new(inChannels, outChannels, kernel, kernel, stride, stride, pad, pad, dilation, dilation, groups);

    /// <summary>Output height for an input of height <paramref name="h"/>: floor((h + 2p - d(k-1) - 1)/s) + 1.</summary>
    public int OutH(int h) => (h + 2 * PadH - DilationH * (KernelH - 1) - 1) / StrideH + 1;

    /// <summary>Output width for an input of width <paramref name="w"/>.</summary>
    public int OutW(int w) => (w + 2 * PadW - DilationW * (KernelW - 1) - 1) / StrideW + 1;

    /// <summary>Number of weight elements.</summary>
    public long WeightCount => (long)OutChannels * (InChannels / Groups) * KernelH * KernelW;

    /// <summary>Multiply-adds for one image of output size oh x ow.</summary>
    public long Macs(int oh, int ow) => WeightCount * oh * ow;

    /// <summary>Throws a clear error when the geometry is impossible.</summary>
    public void Validate()
    {
        if (InChannels <= 0 || OutChannels <= 0 || KernelH <= 0 || KernelW <= 0 || StrideH <= 0 || StrideW <= 0
            || PadH < 0 || PadW < 0 || DilationH <= 0 || DilationW <= 0 || Groups <= 0)
            throw new ArgumentException($"invalid convolution {this}: sizes, strides and dilations must be positive, paddings non-negative");
        if (InChannels % Groups != 0 || OutChannels % Groups != 0)
            throw new ArgumentException($"invalid convolution {this}: channels {InChannels}->{OutChannels} are not divisible by groups {Groups}");
    }
}

/// <summary>
/// A convolution whose weights a backend has already laid out for itself (packed panels, device buffers).
/// Made once at load by <see cref="IBackend.PrepareConv"/>; used for every image.
/// </summary>
public interface IPreparedConv : IDisposable
{
    /// <summary>The convolution's geometry.</summary>
    ConvSpec Spec { get; }

    /// <summary>True when the epilogue adds a per-channel bias.</summary>
    bool HasBias { get; }
}
