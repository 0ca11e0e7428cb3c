using L = CondInst.Kernels.Ilgpu.MaskHeadLayout;

namespace CondInst.Kernels.Model;

/// <summary>
/// Host-side reconstruction of the fixture's mask stages that the fused operations never materialise: the relative
/// coordinates and the per-layer split of the dynamic parameters (<c>rel_coords</c>, <c>dyn_w*</c>, <c>dyn_b*</c>),
/// the float paste stages (<c>mask_probs_s1_crop</c>, <c>mask_probs_ori</c>) and the binary masks (<c>det_masks</c>).
/// Every array is made only when an observer keeps it.
/// </summary>
internal static class MaskDumps
{
    /// <summary>Bytes of float intermediates per chunk of the unfused paste.</summary>
    private const long FloatChunkBytes = 256L << 20;

    /// <summary>What the dynamic head computed implicitly for <paramref name="det"/> on a stride-8 map of <paramref name="h"/>×<paramref name="w"/>.</summary>
    public static void ReportHead(IStageObserver o, IBackend b, KeptDetections det, int h, int w)
    {
        int k = det.Count;
        const float stride = MaskPredictor.FeatureStride;
        o.Array("rel_coords", () =>
        {
            var rel = new float[k * 2 * h * w];
            for (int n = 0; n < k; n++)
            {
                float px = det.InstanceInfo[3 * n], py = det.InstanceInfo[3 * n + 1], norm = det.InstanceInfo[3 * n + 2] * MaskPredictor.SizeOfInterest;
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++)
                    {
                        rel[((n * 2 + 0) * h + i) * w + j] = (px - (j + 0.5f) * stride) / norm;
                        rel[((n * 2 + 1) * h + i) * w + j] = (py - (i + 0.5f) * stride) / norm;
                    }
            }
            return NpyArray.FromFloats(rel, k, 2, h, w);
        });
        var p = new Lazy<float[]>(() => BoxSelector.Read<float>(b, det.Parameters, k * CondInstArchitecture.NumParams));
        float[] Slice(int from, int per) => Enumerable.Range(0, k).SelectMany(n => p.Value.AsSpan(n * CondInstArchitecture.NumParams + from, per).ToArray()).ToArray();
        const int hid = L.Hidden, inp = L.Inputs;
        o.Array("dyn_w0", () => NpyArray.FromFloats(Slice(L.W0At, hid * inp), k * hid, inp, 1, 1));
        o.Array("dyn_w1", () => NpyArray.FromFloats(Slice(L.W1At, hid * hid), k * hid, hid, 1, 1));
        o.Array("dyn_w2", () => NpyArray.FromFloats(Slice(L.W2At, hid), k, hid, 1, 1));
        o.Array("dyn_b0", () => NpyArray.FromFloats(Slice(L.B0At, hid), k * hid));
        o.Array("dyn_b1", () => NpyArray.FromFloats(Slice(L.B1At, hid), k * hid));
        o.Array("dyn_b2", () => NpyArray.FromFloats(Slice(L.B2At, 1), k));
    }

    /// <summary>The float stages the fused paste skips, from the stride-4 probabilities, and the binary masks.</summary>
    public static void ReportPaste(IStageObserver o, IBackend b, Tensor probs, ImageGeometry g, IReadOnlyList<CompactMask> masks)
    {
        int k = probs.Dim(0);
        var floats = new Lazy<(float[] Crop, float[] Ori)>(() => Unfused(b, probs, g));
        o.Array("mask_probs_s1_crop", () => NpyArray.FromFloats(floats.Value.Crop, k, g.ResizedHeight, g.ResizedWidth));
        o.Array("mask_probs_ori", () => NpyArray.FromFloats(floats.Value.Ori, k, g.OriginalHeight, g.OriginalWidth));
        o.Array("det_masks", () => NpyArray.FromBytes(masks.SelectMany(m => m.ToFullMask()).ToArray(), asBool: true, k, g.OriginalHeight, g.OriginalWidth));
    }

    // Crop at stride 1 and resize to the original size through the unfused operations, in chunks that bound the
    // float intermediates.
    private static (float[] Crop, float[] Ori) Unfused(IBackend b, Tensor probs, ImageGeometry g)
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
            b.AlignedBilinear(part, MaskPredictor.ProbabilityFactor, crop);
            using var ori = b.Allocate(DType.Float32, n, 1, g.OriginalHeight, g.OriginalWidth);
            b.UpsampleBilinear(crop, ori, alignCorners: false);
            cropDump.AddRange(BoxSelector.Read<float>(b, crop, (int)crop.Length));
            oriDump.AddRange(BoxSelector.Read<float>(b, ori, (int)ori.Length));
        }
        return (cropDump.ToArray(), oriDump.ToArray());
    }
}
