using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Scalar math shared by the kernels, written so that every device computes the same bits as the host reference
/// where the tests demand equality.
/// </summary>
public static class KernelMath
{
    private const double InvLn2 = 1.4426950408889634;

    // ln 2 split so that k·Ln2Hi is exact for |k| < 2^20 (Ln2Hi has 32 significant bits).
    private const double Ln2Hi = 0.693147180369123816490;
    private const double Ln2Lo = 1.90821492927058770002e-10;

    /// <summary>
    /// exp(x) in float32. On ILGPU's CPU accelerator kernels run as .NET code, so this is the host's
    /// <see cref="MathF.Exp"/>, bit for bit what the reference computes. Elsewhere ILGPU would lower MathF.Exp to
    /// ex2.approx (several ulp off, 5e-6 relative near |x| = 90), so GPUs use <see cref="ExpAccurate"/> instead:
    /// the PTX still contains the MathF branch, behind a constant-true predicate that ptxas removes.
    /// </summary>
    public static float Exp(float x) =>
        Accelerator.CurrentType == AcceleratorType.CPU ? MathF.Exp(x) : ExpAccurate(x);

    /// <summary>max(v, 0) as <see cref="MathF.Max(float, float)"/>: NaN propagates, -0 becomes +0.</summary>
    public static float Relu(float v) => v > 0f || float.IsNaN(v) ? v : 0f;

    /// <summary>Logistic sigmoid evaluated exactly as the reference: 1 / (1 + exp(-x)) in float32.</summary>
    public static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    /// <summary>
    /// exp(x) computed in double and rounded once to float32: correctly rounded except in vanishingly rare
    /// double-rounding cases. Range reduction x = k·ln2 + r (|r| ≤ ln2/2), a degree-13 Taylor polynomial for e^r
    /// (truncation error below 2e-16), then scaling by 2^k through the exponent bits.
    /// </summary>
    public static float ExpAccurate(float x)
    {
        if (float.IsNaN(x)) return x;
        if (x > 88.8f) return float.PositiveInfinity;
        if (x < -104f) return 0f;
        double xd = x;
        // Nearest integer to x / ln2 by truncation (a plain conversion on every device; Math.Floor would become a
        // software routine under ILGPU.Algorithms).
        double kd = (int)(xd * InvLn2 + (xd >= 0 ? 0.5 : -0.5));
        double r = (xd - kd * Ln2Hi) - kd * Ln2Lo;
        double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
            + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800
            + r * (1.0 / 479001600 + r * (1.0 / 6227020800.0)))))))))))));
        // k is in [-150, 128], so 2^k is a normal double; the product is exact and the float cast rounds once.
        ulong scale = (ulong)((long)kd + 1023) << 52;
        return (float)(p * Interop.IntAsFloat(scale));
    }

    /// <summary>
    /// a·b rounded to float32 without ever being fused into a following add (exact in double, then one rounding):
    /// the result equals the host's float product even where the device compiler contracts mul+add into FMA.
    /// </summary>
    public static float MulNoFma(float a, float b) => (float)((double)a * b);

    /// <summary>
    /// Maps a float to an unsigned integer with the same order (negative numbers below positive ones).
    /// </summary>
    public static uint OrderedBits(float v)
    {
        uint u = Interop.FloatAsInt(v);
        return (u & 0x80000000u) != 0 ? ~u : u | 0x80000000u;
    }

    /// <summary>
    /// A 64-bit sort key whose ascending order is <paramref name="v"/> descending, ties by <paramref name="index"/> ascending.
    /// </summary>
    public static ulong DescendingKey(float v, int index) => ((ulong)~OrderedBits(v) << 32) | (uint)index;

    /// <summary>The float a <see cref="DescendingKey"/> was made from.</summary>
    public static float KeyValue(ulong key)
    {
        uint ordered = ~(uint)(key >> 32);
        uint u = (ordered & 0x80000000u) != 0 ? ordered & 0x7FFFFFFFu : ~ordered;
        return Interop.IntAsFloat(u);
    }

    /// <summary>The index a <see cref="DescendingKey"/> was made from.</summary>
    public static int KeyIndex(ulong key) => (int)(uint)key;
}
