namespace CondInst.Kernels.Tests.Harness;

/// <summary>Seeded random inputs for operation cases.</summary>
public static class RandomData
{
    /// <summary>Uniform floats in [lo, hi).</summary>
    public static float[] Floats(Random rng, long n, float lo = -1f, float hi = 1f)
    {
        var a = new float[n];
        for (long i = 0; i < n; i++) a[i] = lo + (float)rng.NextDouble() * (hi - lo);
        return a;
    }

    /// <summary>Uniform bytes.</summary>
    public static byte[] Bytes(Random rng, long n)
    {
        var a = new byte[n];
        rng.NextBytes(a);
        return a;
    }

    /// <summary>Product of dimensions.</summary>
    public static long Count(params int[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}
