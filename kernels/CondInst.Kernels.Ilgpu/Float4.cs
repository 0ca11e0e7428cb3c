namespace CondInst.Kernels.Ilgpu;

/// <summary>Four consecutive floats: lets a kernel read 16 aligned bytes of shared memory as one vector load.</summary>
public struct Float4
{
    /// <summary>The four lanes.</summary>
    public float X, Y, Z, W;
}

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

    /// <summary>Lane <paramref name="j"/> (0..7); used only in the epilogue.</summary>
    public readonly float Get(int j) => j switch
    {
        0 => V0,
        1 => V1,
        2 => V2,
        3 => V3,
        4 => V4,
        5 => V5,
        6 => V6,
        _ => V7,
    };
}
