namespace CondInst.Kernels;

/// <summary>
/// Fixed-point filter coefficients of Pillow's BILINEAR resampling (<c>ImagingResample</c>, 8 bits per channel),
/// computed on the host in double precision exactly as Pillow does, then shared by every backend so that all
/// of them produce Pillow's bytes.
/// </summary>
public sealed class PillowResample
{
    /// <summary>Fractional bits of the fixed-point weights: 32 - 8 - 2.</summary>
    public const int PrecisionBits = 22;

    private PillowResample(int inSize, int outSize, int taps, int[] bounds, int[] weights)
    {
        InSize = inSize;
        OutSize = outSize;
        Taps = taps;
        Bounds = bounds;
        Weights = weights;
    }

    /// <summary>Source length along the axis.</summary>
    public int InSize { get; }

    /// <summary>Destination length along the axis.</summary>
    public int OutSize { get; }

    /// <summary>Weights stored per output index (the kernel size, ceil(support)·2 + 1).</summary>
    public int Taps { get; }

    /// <summary>For output index x: Bounds[2x] = first source index, Bounds[2x+1] = number of source taps used.</summary>
    public int[] Bounds { get; }

    /// <summary>For output index x: Weights[x·Taps + k] is the fixed-point weight of source Bounds[2x] + k.</summary>
    public int[] Weights { get; }

    /// <summary>Coefficients for resizing an axis of <paramref name="inSize"/> samples to <paramref name="outSize"/>.</summary>
    public static PillowResample Create(int inSize, int outSize)
    {
        if (inSize <= 0 || outSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(inSize), $"resize axis {inSize} -> {outSize}: sizes must be positive");
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale; // the triangle filter's support is 1
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var weights = new int[outSize * taps];
        var k = new double[taps];
        double invScale = 1.0 / filterScale;
        for (int x = 0; x < outSize; x++)
        {
            double center = (x + 0.5) * scale;
            int xmin = (int)(center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            double sum = 0.0;
            for (int i = 0; i < xmax; i++)
            {
                double t = Math.Abs((i + xmin - center + 0.5) * invScale);
                double w = t < 1.0 ? 1.0 - t : 0.0;
                k[i] = w;
                sum += w;
            }
            for (int i = 0; i < taps; i++)
            {
                double w = i < xmax ? (sum != 0.0 ? k[i] / sum : k[i]) : 0.0;
                // Pillow rounds half away from zero when converting to fixed point.
                weights[x * taps + i] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            }
            bounds[2 * x] = xmin;
            bounds[2 * x + 1] = xmax;
        }
        return new PillowResample(inSize, outSize, taps, bounds, weights);
    }

    /// <summary>Rounds and clips a fixed-point accumulator (which started at 1 &lt;&lt; 21) to a byte, as Pillow's clip8.</summary>
    public static byte Clip8(int acc)
    {
        int v = acc >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }
}
