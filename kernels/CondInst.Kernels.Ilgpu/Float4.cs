namespace CondInst.Kernels.Ilgpu;

/// <summary>Four consecutive floats: lets a kernel read 16 aligned bytes of shared memory as one vector load.</summary>
public struct Float4
{
    /// <summary>The four lanes.</summary>
    public float X, Y, Z, W;
}
