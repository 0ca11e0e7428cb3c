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

    /// <summary>The [1, 3, PaddedHeight, PaddedWidth] input for an HWC BGR image; the caller owns it.</summary>
    public static Tensor Run(IBackend b, ReadOnlySpan<byte> bgr, ImageGeometry g, IStageSink? sink)
    {
        if (bgr.Length != (long)g.OriginalHeight * g.OriginalWidth * 3)
            throw new ArgumentException($"image bytes: expected {g.OriginalHeight}x{g.OriginalWidth}x3 = {(long)g.OriginalHeight * g.OriginalWidth * 3}, found {bgr.Length}");
        using var original = b.Upload(bgr, g.OriginalHeight, g.OriginalWidth, 3);
        using var resized = b.Allocate(DType.UInt8, g.ResizedHeight, g.ResizedWidth, 3);
        b.ResizePillowBilinear(original, resized);
        if (sink != null) DumpResized(b, resized, sink);
        var input = b.Allocate(DType.Float32, 1, 3, g.PaddedHeight, g.PaddedWidth);
        b.NormalizePad(resized, input, Mean, Std, reverseChannels: true);
        sink?.Tensor("input", input);
        return input;
    }

    // The fixture stores the resized image as CHW (3, h, w) BGR uint8.
    private static void DumpResized(IBackend b, Tensor resized, IStageSink sink)
    {
        int h = resized.Dim(0), w = resized.Dim(1);
        var hwc = new byte[resized.Length];
        b.Download<byte>(resized, hwc);
        var chw = new byte[hwc.Length];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < h * w; i++) chw[c * h * w + i] = hwc[i * 3 + c];
        sink.Array("resized_uint8", NpyArray.FromBytes(chw, asBool: false, 3, h, w));
    }
}
