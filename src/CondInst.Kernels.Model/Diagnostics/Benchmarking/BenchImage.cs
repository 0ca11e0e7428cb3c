namespace CondInst.Kernels.Model.Benchmarking;

/// <summary>Images for <c>bench</c>: a file decoded as mmdetection's loader does (<see cref="ImageLoader"/>) or a generated one.</summary>
public static class BenchImage
{
    /// <summary>The prefix of generated images: <c>synthetic:1333x800</c>.</summary>
    public const string SyntheticPrefix = "synthetic:";

    /// <summary>HWC BGR bytes (as mmdetection's loader gives them), width and height.</summary>
    public static (byte[] Bgr, int Width, int Height) Load(string spec)
    {
        if (spec.StartsWith(SyntheticPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var parts = spec[SyntheticPrefix.Length..].Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int w) || !int.TryParse(parts[1], out int h) || w <= 0 || h <= 0 || (long)w * h > 100_000_000)
                throw new ArgumentException($"image '{spec}': expected {SyntheticPrefix}WxH with positive sizes (e.g. {SyntheticPrefix}1333x800)");
            return (Synthetic(w, h), w, h);
        }
        var img = ImageLoader.Load(spec);
        return (img.Bgr, img.Width, img.Height);
    }

    /// <summary>
    /// A deterministic picture: smooth colour gradients with blocks of texture and a few flat rectangles, so that
    /// a resize sees edges and gradients alike (content does not change the work of dense convolutions).
    /// </summary>
    public static byte[] Synthetic(int width, int height)
    {
        var bgr = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                bool block = ((x / 97) + (y / 61)) % 5 == 0;
                int texture = block ? ((x * 13) ^ (y * 7)) & 63 : 0;
                bgr[o] = (byte)(x * 255 / Math.Max(width - 1, 1) / 2 + texture);
                bgr[o + 1] = (byte)(y * 255 / Math.Max(height - 1, 1) / 2 + texture);
                bgr[o + 2] = (byte)((((x + y) / 4) & 127) + (block ? 64 : 0));
            }
        return bgr;
    }
}
