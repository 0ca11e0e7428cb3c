namespace CondInst.Kernels;

/// <summary>The convolution implementations of the ILGPU backend.</summary>
internal enum ConvPath
{
    /// <summary>One thread per output element (any geometry).</summary>
    Direct,

    /// <summary>Tiled implicit GEMM in shared memory (needs 256-thread groups).</summary>
    Gemm,
}
