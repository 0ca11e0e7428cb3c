namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// The one statement of CondInst's dynamic mask head and of how its per-instance parameters are laid out. The
/// head is three 1x1 layers, <see cref="Inputs"/> → <see cref="Hidden"/> → <see cref="Hidden"/> → 1 with ReLU
/// between; its inputs are the pixel's two relative coordinates followed by the <see cref="FeatureChannels"/>
/// mask-feature channels. mmdetection's controller emits, per instance, all weights (row-major, output-major)
/// and then all biases: W0 [8, 10], W1 [8, 8], W2 [1, 8], b0 [8], b1 [8], b2 [1] — 169 numbers. Every user (the
/// kernels, the cpu backend, the argument checks, the architecture, the stage dumps) reads the offsets here.
/// </summary>
public static class MaskHeadLayout
{
    /// <summary>Channels of the mask feature map the head reads (8).</summary>
    public const int FeatureChannels = 8;

    /// <summary>Relative-coordinate inputs in front of the features: (x, y).</summary>
    public const int CoordInputs = 2;

    /// <summary>Inputs of the first layer: 2 relative coordinates + 8 feature channels.</summary>
    public const int Inputs = CoordInputs + FeatureChannels;

    /// <summary>Width of the two hidden layers.</summary>
    public const int Hidden = 8;

    /// <summary>Offset of W0 [<see cref="Hidden"/>, <see cref="Inputs"/>] in an instance's parameters.</summary>
    public const int W0At = 0;

    /// <summary>Offset of W1 [<see cref="Hidden"/>, <see cref="Hidden"/>].</summary>
    public const int W1At = W0At + Hidden * Inputs;

    /// <summary>Offset of W2 [1, <see cref="Hidden"/>].</summary>
    public const int W2At = W1At + Hidden * Hidden;

    /// <summary>Offset of b0 [<see cref="Hidden"/>].</summary>
    public const int B0At = W2At + Hidden;

    /// <summary>Offset of b1 [<see cref="Hidden"/>].</summary>
    public const int B1At = B0At + Hidden;

    /// <summary>Offset of b2 [1].</summary>
    public const int B2At = B1At + Hidden;

    /// <summary>Parameters per instance (169).</summary>
    public const int Params = B2At + 1;

    /// <summary>Multiply-adds per output pixel and instance (10·8 + 8·8 + 8).</summary>
    public const int MacsPerPixel = Inputs * Hidden + Hidden * Hidden + Hidden;
}
