namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Eight accumulators held in registers (one row of a thread's micro-tile). A value type with no array inside,
/// so that ILGPU keeps it in registers rather than local memory.
/// </summary>
public struct Float8
{
    /// <summary>The eight lanes.</summary>
    public float V0, V1, V2, V3, V4, V5, V6, V7;

    /// <summary>acc + a·b lane by lane, where b is split into two groups of four lanes.</summary>
    public static Float8 Fma(Float8 acc, float a, Float4 lo, Float4 hi)
    {
        acc.V0 += a * lo.X;
        acc.V1 += a * lo.Y;
        acc.V2 += a * lo.Z;
        acc.V3 += a * lo.W;
        acc.V4 += a * hi.X;
        acc.V5 += a * hi.Y;
        acc.V6 += a * hi.Z;
        acc.V7 += a * hi.W;
        return acc;
    }
}
