namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Geometry and epilogue flags of one convolution launch (passed by value to the kernels).
/// x: NCHW [N, Cin, H, W]; y and residual: NCHW [N, Cout, OH, OW]; Cg = Cin/Groups, Mg = Cout/Groups.
/// </summary>
public struct ConvParams
{
    /// <summary>Batch size.</summary>
    public int N;

    /// <summary>Input channels, height and width.</summary>
    public int Cin, H, W;

    /// <summary>Output channels, height and width.</summary>
    public int Cout, OH, OW;

    /// <summary>Kernel size.</summary>
    public int KH, KW;

    /// <summary>Strides.</summary>
    public int SH, SW;

    /// <summary>Paddings (top, left).</summary>
    public int PH, PW;

    /// <summary>Dilations.</summary>
    public int DH, DW;

    /// <summary>Channel groups.</summary>
    public int Groups;

    /// <summary>Input channels per group (Cin/Groups) and output channels per group (Cout/Groups).</summary>
    public int Cg, Mg;

    /// <summary>GEMM depth Cg·KH·KW padded to a multiple of the K chunk (rows of the prepared weights).</summary>
    public int Kpad;

    /// <summary>Output channels per group padded to a multiple of the tile height (prepared weights' row length).</summary>
    public int Mpad;

    /// <summary>1 when the epilogue multiplies by scale[o] / adds bias[o] / adds residual / applies ReLU.</summary>
    public int HasScale, HasBias, HasResidual, Relu;
}
