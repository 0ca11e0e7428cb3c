namespace CondInst.Kernels.Tests.Harness;

/// <summary>
/// Settings of the seeded random-shape cases every op test has: a fixed seed per family (derived from
/// <see cref="Seed"/>) so a failure is reproducible from the case name ("random #i") alone. CONDINST_RANDOM_SEED
/// and CONDINST_RANDOM_ITERATIONS change them for a longer or different search.
/// </summary>
public static class RandomShapes
{
    /// <summary>The base seed (default 20261207).</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("CONDINST_RANDOM_SEED"), out int s) ? s : 20261207;

    /// <summary>Cases per family and backend (default 8: small shapes, so the ILGPU CPU simulator stays quick).</summary>
    public static int Iterations { get; } = int.TryParse(Environment.GetEnvironmentVariable("CONDINST_RANDOM_ITERATIONS"), out int n) && n > 0 ? n : 8;
}
