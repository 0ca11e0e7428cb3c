namespace CondInst.Kernels.Model;

/// <summary>
/// Sizes of one image through preprocessing (mmdetection's img_meta): original (after EXIF orientation), resized
/// (keep-ratio to the test scale), padded (to a multiple of 32), and the per-axis scale factors new/original.
/// </summary>
/// <param name="OriginalHeight">ori_shape[0].</param>
/// <param name="OriginalWidth">ori_shape[1].</param>
/// <param name="ResizedHeight">img_shape[0].</param>
/// <param name="ResizedWidth">img_shape[1].</param>
/// <param name="PaddedHeight">pad_shape[0].</param>
/// <param name="PaddedWidth">pad_shape[1].</param>
/// <param name="ScaleX">scale_factor[0] = ResizedWidth / OriginalWidth.</param>
/// <param name="ScaleY">scale_factor[1] = ResizedHeight / OriginalHeight.</param>
public sealed record ImageGeometry(int OriginalHeight, int OriginalWidth, int ResizedHeight, int ResizedWidth, int PaddedHeight, int PaddedWidth, double ScaleX, double ScaleY)
{
    /// <summary>Padding divisor of the data preprocessor.</summary>
    public const int PadDivisor = 32;

    /// <summary>
    /// mmcv's keep-ratio rule (rescale_size/_scale_size): s = min(long/max(h, w), short/min(h, w)) in double,
    /// new = int(size·s + 0.5). A side that would round to 0 (only for extremely elongated images, where mmcv itself
    /// fails) is kept at 1 pixel.
    /// </summary>
    public static ImageGeometry For(int width, int height, int scaleLong, int scaleShort)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} must be positive");
        if (scaleLong <= 0 || scaleShort <= 0) throw new ArgumentException($"test scale ({scaleLong}, {scaleShort}) must be positive");
        double longEdge = Math.Max(scaleLong, scaleShort), shortEdge = Math.Min(scaleLong, scaleShort);
        double s = Math.Min(longEdge / Math.Max(height, width), shortEdge / Math.Min(height, width));
        int nw = Math.Max(1, (int)(width * s + 0.5)), nh = Math.Max(1, (int)(height * s + 0.5));
        int ph = (nh + PadDivisor - 1) / PadDivisor * PadDivisor, pw = (nw + PadDivisor - 1) / PadDivisor * PadDivisor;
        return new ImageGeometry(height, width, nh, nw, ph, pw, (double)nw / width, (double)nh / height);
    }
}
