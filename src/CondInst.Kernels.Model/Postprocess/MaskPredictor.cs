namespace CondInst.Kernels.Model;

/// <summary>
/// The dynamic mask head and mask paste (docs/INFERENCE.md#mask-head, #mask-paste) on the device: all instances' logits at stride 8 in one
/// launch, aligned ×2 (logits), sigmoid, then the paste fused into one operation (<see cref="IBackend.PasteMasks"/>:
/// aligned ×4 cropped to the resized image, bilinear (align_corners false) to the original size, threshold). The
/// paste runs in chunks of instances so that memory stays bounded for large images; the binary masks come back to
/// the host.
/// </summary>
internal static class MaskPredictor
{
    /// <summary>Stride of the mask feature map.</summary>
    public const float FeatureStride = 8f;

    /// <summary>CondInst's size_of_interest: relative coordinates are divided by stride · 8.</summary>
    public const float SizeOfInterest = 8f;

    /// <summary>Logits are brought from stride 8 to mask_out_stride 4 before the sigmoid.</summary>
    public const int LogitFactor = 2;

    /// <summary>Probabilities are brought from stride 4 to stride 1.</summary>
    public const int ProbabilityFactor = 4;

    /// <summary>Bytes of binary masks per chunk of the paste.</summary>
    private const long ChunkBytes = 256L << 20;

    /// <summary>
    /// Mask probabilities at stride 4, [k, 1, 2·H8, 2·W8] (the caller owns them): the dynamic head's logits at stride 8,
    /// aligned ×2, sigmoid. Reports <c>mask_logits_s8</c> and <c>mask_logits_s4</c>.
    /// </summary>
    public static Tensor Probabilities(IBackend b, Tensor maskFeature, KeptDetections det, IStageObserver observer)
    {
        int k = det.Count, h = maskFeature.Dim(2), w = maskFeature.Dim(3);
        using var logits = b.Allocate(DType.Float32, k, 1, h, w);
        b.DynamicMaskHead(maskFeature, det.Parameters, det.Instances, FeatureStride, SizeOfInterest, logits);
        var probs = b.Allocate(DType.Float32, k, 1, LogitFactor * h, LogitFactor * w);
        b.AlignedBilinear(logits, LogitFactor, probs);
        using (var v = logits.Reshape(1, k, h, w)) observer.Tensor("mask_logits_s8", v);
        using (var v = probs.Reshape(k, LogitFactor * h, LogitFactor * w)) observer.Tensor("mask_logits_s4", v);
        b.Unary(UnaryOp.Sigmoid, probs, probs);
        return probs;
    }

    /// <summary>
    /// Binary masks from <see cref="Probabilities"/> at the original size, one per instance, stored compactly: each
    /// mask is downloaded into one reused buffer and cropped to its foreground, so the host never holds more than one
    /// full-size mask.
    /// </summary>
    public static CompactMask[] Paste(IBackend b, Tensor probs, ImageGeometry g, float maskThreshold)
    {
        int k = probs.Dim(0), height = g.OriginalHeight, width = g.OriginalWidth;
        int size = height * width;
        var masks = new CompactMask[k];
        var buffer = GC.AllocateUninitializedArray<byte>(k == 0 ? 0 : size);
        int chunk = (int)Math.Clamp(ChunkBytes / Math.Max(size, 1), 1, Math.Max(k, 1));
        for (int start = 0; start < k; start += chunk)
        {
            int n = Math.Min(chunk, k - start);
            using var part = probs.Slice(start, n);
            using var bits = b.Allocate(DType.UInt8, n, height, width);
            b.PasteMasks(part, ProbabilityFactor, g.ResizedHeight, g.ResizedWidth, maskThreshold, bits);
            for (int i = 0; i < n; i++)
            {
                using var one = bits.Slice(i, 1);
                b.Download<byte>(one, buffer);
                masks[start + i] = CompactMask.FromFull(buffer, width, height);
            }
        }
        return masks;
    }
}
