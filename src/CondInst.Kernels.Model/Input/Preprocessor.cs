namespace CondInst.Kernels.Model;

/// <summary>
/// Image → network input on the device (docs/INFERENCE.md#resize, #normalize): Pillow-equal bilinear resize of the BGR bytes, then
/// BGR→RGB, (x − mean) / std and zero padding to the padded size.
/// </summary>
internal static class Preprocessor
{
    /// <summary>RGB mean of the data preprocessor.</summary>
    public static readonly float[] Mean = [123.675f, 116.28f, 103.53f];

    /// <summary>RGB standard deviation of the data preprocessor.</summary>
    public static readonly float[] Std = [58.395f, 57.12f, 57.375f];

    /// <summary>The HWC BGR image resized to [ResizedHeight, ResizedWidth, 3] uint8 on the device; the caller owns it.</summary>
    public static Tensor Resize(IBackend b, ReadOnlySpan<byte> bgr, ImageGeometry g)
    {
        if (bgr.Length != (long)g.OriginalHeight * g.OriginalWidth * 3)
            throw new ArgumentException($"image bytes: expected {g.OriginalHeight}x{g.OriginalWidth}x3 = {(long)g.OriginalHeight * g.OriginalWidth * 3}, found {bgr.Length}");
        using var original = b.Upload(bgr, g.OriginalHeight, g.OriginalWidth, 3);
        var resized = b.Allocate(DType.UInt8, g.ResizedHeight, g.ResizedWidth, 3);
        b.ResizePillowBilinear(original, resized);
        return resized;
    }

    /// <summary>The [1, 3, PaddedHeight, PaddedWidth] network input from <see cref="Resize"/>'s output; the caller owns it.</summary>
    public static Tensor Normalize(IBackend b, Tensor resized, ImageGeometry g)
    {
        var input = b.Allocate(DType.Float32, 1, 3, g.PaddedHeight, g.PaddedWidth);
        b.NormalizePad(resized, input, Mean, Std, reverseChannels: true);
        return input;
    }
}
