using CondInst.Kernels.Model;

namespace CondInst.Kernels.Benchmarks.Soak;

/// <summary>What a soak image shows.</summary>
public enum SoakImageKind
{
    /// <summary>Uniform random bytes.</summary>
    Noise,

    /// <summary>The demo image stretched to the size (nearest neighbour), so instances are found.</summary>
    DemoResized,

    /// <summary>The demo image repeated at a random scale, so elongated images hold whole shapes too.</summary>
    DemoTiled,

    /// <summary>One colour.</summary>
    Flat,
}

/// <summary>A generated image: BGR bytes, row-major, in the first Width·Height·3 bytes of <see cref="Bgr"/> (a reused buffer).</summary>
public sealed record SoakImage(SoakImageKind Kind, int Width, int Height, byte[] Bgr);

/// <summary>
/// Seeded image sizes and pixels. The long side is log-uniform in [1, maxSide] and the aspect ratio log-uniform in
/// [1:10, 10:1], so tiny, mid-sized and huge, square and elongated images all come up in a few hundred draws.
/// The pixel buffer is reused so that the harness's own allocations do not blur the model's memory curve.
/// </summary>
public sealed class SoakImages(DecodedImage demo, int maxSide, int seed)
{
    /// <summary>How many <see cref="SoakImageKind"/> values there are.</summary>
    public const int KindCount = 4;

    private readonly Random _random = new(seed);
    private byte[] _buffer = [];

    /// <summary>The next image; its buffer is overwritten by the call after.</summary>
    public SoakImage Next()
    {
        int longSide = Math.Clamp((int)Math.Round(Math.Exp(_random.NextDouble() * Math.Log(maxSide))), 1, maxSide);
        double aspect = Math.Exp((_random.NextDouble() * 2 - 1) * Math.Log(10)); // width / height
        int width = aspect >= 1 ? longSide : Math.Max(1, (int)Math.Round(longSide * aspect));
        int height = aspect >= 1 ? Math.Max(1, (int)Math.Round(longSide / aspect)) : longSide;
        double pick = _random.NextDouble();
        var kind = pick < 0.25 ? SoakImageKind.Noise : pick < 0.65 ? SoakImageKind.DemoResized : pick < 0.95 ? SoakImageKind.DemoTiled : SoakImageKind.Flat;
        int bytes = width * height * 3;
        if (_buffer.Length < bytes) _buffer = new byte[bytes];
        var pixels = _buffer.AsSpan(0, bytes);
        switch (kind)
        {
            case SoakImageKind.Noise:
                _random.NextBytes(pixels);
                break;
            case SoakImageKind.DemoResized:
                Sample(pixels, width, height, demo.Width / (double)width, demo.Height / (double)height);
                break;
            case SoakImageKind.DemoTiled:
                double step = Math.Exp((_random.NextDouble() * 2 - 1) * Math.Log(4)); // demo pixels per output pixel, 1/4..4
                Sample(pixels, width, height, step, step);
                break;
            default:
                byte b = (byte)_random.Next(256), g = (byte)_random.Next(256), r = (byte)_random.Next(256);
                for (int i = 0; i < bytes; i += 3) (pixels[i], pixels[i + 1], pixels[i + 2]) = (b, g, r);
                break;
        }
        return new SoakImage(kind, width, height, _buffer);
    }

    // Nearest-neighbour sampling of the demo, wrapping around its edges (a stretch when the steps cover it exactly once).
    private void Sample(Span<byte> pixels, int width, int height, double stepX, double stepY)
    {
        var source = demo.Bgr;
        var columns = new int[width];
        for (int x = 0; x < width; x++) columns[x] = 3 * ((int)(x * stepX) % demo.Width);
        for (int y = 0; y < height; y++)
        {
            int row = 3 * demo.Width * ((int)(y * stepY) % demo.Height);
            var line = pixels.Slice(3 * width * y, 3 * width);
            for (int x = 0; x < width; x++)
            {
                int s = row + columns[x];
                line[3 * x] = source[s];
                line[3 * x + 1] = source[s + 1];
                line[3 * x + 2] = source[s + 2];
            }
        }
    }
}
