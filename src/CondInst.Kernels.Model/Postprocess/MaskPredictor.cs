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
    private const int LogitFactor = 2;

    /// <summary>Probabilities are brought from stride 4 to stride 1.</summary>
    private const int ProbabilityFactor = 4;

    /// <summary>Bytes of binary masks per chunk of the paste.</summary>
    private const long ChunkBytes = 256L << 20;

    /// <summary>Bytes of float intermediates per chunk of the dumped unfused paste.</summary>
    private const long FloatChunkBytes = 256L << 20;

    /// <summary>Binary masks, one H·W row-major byte array (0/1) per instance at the original size.</summary>
    public static byte[][] Predict(IBackend b, Tensor maskFeature, KeptDetections det, ImageGeometry g, float maskThreshold, IStageSink? sink, StageClock? clock)
    {
        int k = det.Count, h = maskFeature.Dim(2), w = maskFeature.Dim(3);
        using var logits = b.Allocate(DType.Float32, k, 1, h, w);
        b.DynamicMaskHead(maskFeature, det.Parameters, det.Instances, FeatureStride, SizeOfInterest, logits);
        using var probs = b.Allocate(DType.Float32, k, 1, LogitFactor * h, LogitFactor * w);
        b.AlignedBilinear(logits, LogitFactor, probs);
        if (sink != null) DumpHead(b, sink, det, logits, probs, h, w);
        b.Unary(UnaryOp.Sigmoid, probs, probs);
        clock?.Lap("mask_head");

        int size = g.OriginalHeight * g.OriginalWidth;
        var masks = NewMasks(k, size);
        int chunk = (int)Math.Clamp(ChunkBytes / Math.Max(size, 1), 1, Math.Max(k, 1));
        for (int start = 0; start < k; start += chunk)
        {
            int n = Math.Min(chunk, k - start);
            using var part = probs.Slice(start, n);
            using var bits = b.Allocate(DType.UInt8, n, g.OriginalHeight, g.OriginalWidth);
            b.PasteMasks(part, ProbabilityFactor, g.ResizedHeight, g.ResizedWidth, maskThreshold, bits);
            for (int i = 0; i < n; i++)
            {
                using var one = bits.Slice(i, 1);
                b.Download<byte>(one, masks[start + i]);
            }
        }
        clock?.Lap("mask_paste");
        if (sink != null)
        {
            DumpPaste(b, sink, probs, g);
            var all = masks.SelectMany(m => m).ToArray();
            sink.Array("det_masks", NpyArray.FromBytes(all, asBool: true, k, g.OriginalHeight, g.OriginalWidth));
        }
        return masks;
    }

    // The result arrays (every byte is downloaded into them). The first write to fresh memory costs a page fault per
    // 4 KB, which adds up (100 masks of 1333x800 fault 26 000 pages, ~70 ms on one core): the pages are touched in
    // parallel first, so the downloads are plain copies.
    private static byte[][] NewMasks(int k, int size)
    {
        var masks = new byte[k][];
        for (int i = 0; i < k; i++) masks[i] = GC.AllocateUninitializedArray<byte>(size);
        if ((long)k * size >= 1 << 24)
            Parallel.For(0, k, i =>
            {
                var m = masks[i];
                for (int j = 0; j < m.Length; j += 4096) m[j] = 0;
            });
        return masks;
    }

    // The float stages the fused paste skips (crop at stride 1, original size), through the unfused operations in
    // chunks that bound the float intermediates, for dumps only.
    private static void DumpPaste(IBackend b, IStageSink sink, Tensor probs, ImageGeometry g)
    {
        int k = probs.Dim(0);
        long perInstance = 4L * ((long)g.ResizedHeight * g.ResizedWidth + (long)g.OriginalHeight * g.OriginalWidth);
        int chunk = (int)Math.Clamp(FloatChunkBytes / Math.Max(perInstance, 1), 1, Math.Max(k, 1));
        var cropDump = new List<float>();
        var oriDump = new List<float>();
        for (int start = 0; start < k; start += chunk)
        {
            int n = Math.Min(chunk, k - start);
            using var part = probs.Slice(start, n);
            using var crop = b.Allocate(DType.Float32, n, 1, g.ResizedHeight, g.ResizedWidth);
            b.AlignedBilinear(part, ProbabilityFactor, crop);
            using var ori = b.Allocate(DType.Float32, n, 1, g.OriginalHeight, g.OriginalWidth);
            b.UpsampleBilinear(crop, ori, alignCorners: false);
            cropDump.AddRange(BoxSelector.Read<float>(b, crop, (int)crop.Length));
            oriDump.AddRange(BoxSelector.Read<float>(b, ori, (int)ori.Length));
        }
        sink.Array("mask_probs_s1_crop", NpyArray.FromFloats(cropDump.ToArray(), k, g.ResizedHeight, g.ResizedWidth));
        sink.Array("mask_probs_ori", NpyArray.FromFloats(oriDump.ToArray(), k, g.OriginalHeight, g.OriginalWidth));
    }

    // rel_coords and the grouped-conv parameter split are implicit in the fused kernel; rebuild them for dumps.
    private static void DumpHead(IBackend b, IStageSink sink, KeptDetections det, Tensor logits, Tensor s4, int h, int w)
    {
        int k = det.Count;
        using (var v = logits.Reshape(1, k, h, w)) sink.Tensor("mask_logits_s8", v);
        using (var v = s4.Reshape(k, LogitFactor * h, LogitFactor * w)) sink.Tensor("mask_logits_s4", v);
        var rel = new float[k * 2 * h * w];
        for (int n = 0; n < k; n++)
        {
            float px = det.InstanceInfo[3 * n], py = det.InstanceInfo[3 * n + 1], norm = det.InstanceInfo[3 * n + 2] * SizeOfInterest;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    rel[((n * 2 + 0) * h + i) * w + j] = (px - (j + 0.5f) * FeatureStride) / norm;
                    rel[((n * 2 + 1) * h + i) * w + j] = (py - (i + 0.5f) * FeatureStride) / norm;
                }
        }
        sink.Array("rel_coords", NpyArray.FromFloats(rel, k, 2, h, w));
        var p = BoxSelector.Read<float>(b, det.Parameters, k * CondInstArchitecture.NumParams);
        float[] Slice(int from, int per) => Enumerable.Range(0, k).SelectMany(n => p.AsSpan(n * CondInstArchitecture.NumParams + from, per).ToArray()).ToArray();
        sink.Array("dyn_w0", NpyArray.FromFloats(Slice(0, 80), k * 8, 10, 1, 1));
        sink.Array("dyn_w1", NpyArray.FromFloats(Slice(80, 64), k * 8, 8, 1, 1));
        sink.Array("dyn_w2", NpyArray.FromFloats(Slice(144, 8), k, 8, 1, 1));
        sink.Array("dyn_b0", NpyArray.FromFloats(Slice(152, 8), k * 8));
        sink.Array("dyn_b1", NpyArray.FromFloats(Slice(160, 8), k * 8));
        sink.Array("dyn_b2", NpyArray.FromFloats(Slice(168, 1), k));
    }
}
