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

    /// <summary>
    /// Bytes of binary masks per chunk of the paste: 16 MiB is 15 masks of 1333x800, enough instances per launch to
    /// keep every core busy, and a tenth of the device memory that 100 such masks at once would take.
    /// </summary>
    public const long ChunkBytes = 16L << 20;

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
    /// chunk of masks (at most <see cref="ChunkBytes"/>) is downloaded at once and its masks are cropped to their
    /// foreground in parallel, so the host holds at most one chunk of full-size masks. A host backend's chunk is
    /// cropped where it lies, without the copy.
    /// </summary>
    public static CompactMask[] Paste(IBackend b, Tensor probs, ImageGeometry g, float maskThreshold)
    {
        int k = probs.Dim(0), height = g.OriginalHeight, width = g.OriginalWidth;
        int size = height * width;
        var masks = new CompactMask[k];
        int chunk = (int)Math.Clamp(ChunkBytes / Math.Max(size, 1), 1, Math.Max(k, 1));
        byte[]? buffer = null;
        for (int start = 0; start < k; start += chunk)
        {
            int n = Math.Min(chunk, k - start), first = start;
            using var part = probs.Slice(start, n);
            using var bits = b.Allocate(DType.UInt8, n, height, width);
            b.PasteMasks(part, ProbabilityFactor, g.ResizedHeight, g.ResizedWidth, maskThreshold, bits);
            if (bits is HostTensor host)
            {
                Parallel.For(0, n, i => masks[first + i] = CompactMask.FromFull(host.AsSpan<byte>().Slice(i * size, size), width, height));
                continue;
            }
            // One download per chunk; the crops are independent host work (the backend is idle meanwhile).
            buffer ??= GC.AllocateUninitializedArray<byte>(Math.Min(chunk, k) * size);
            b.Download<byte>(bits, buffer.AsSpan(0, n * size));
            Parallel.For(0, n, i => masks[first + i] = CompactMask.FromFull(buffer.AsSpan(i * size, size), width, height));
        }
        return masks;
    }
}
