namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// Mask paste of 100 instances: stride-4 probabilities [100, 1, 200, 304] → aligned_bilinear ×4 cropped to the
/// resized image 800x1216 → bilinear to the original 1000x1520 → threshold → download the bits. Three cases:
/// the fused <see cref="IBackend.PasteMasks"/> as the model runs it (chunks of 256 MB of bits) on object-like
/// probabilities (a soft disc per instance, near 0 elsewhere: what real detections look like), the same on uniform
/// noise (nothing can be skipped: the fused op's worst case), and the unfused chain of three ops it replaced (chunks
/// of 256 MB of float intermediates).
/// </summary>
public class MaskPasteBenchmarks : KernelBenchmark
{
    private const int N = 100, H4 = 200, W4 = 304, RH = 800, RW = 1216, OH = 1000, OW = 1520;

    private static readonly Work PasteWork = new(6.0 * N * ((long)RH * RW + (long)OH * OW) + 1.0 * N * OH * OW,
        N * (4.0 * H4 * W4 + (double)OH * OW));

    private static readonly KernelCase[] All =
    [
        new($"fused, {N} discs 800x1216>1000x1520", PasteWork, (b, owned) => Fused(b, owned, Discs())),
        new($"fused, {N} noise 800x1216>1000x1520", PasteWork, (b, owned) => Fused(b, owned, RandomFloats(1, (long)N * H4 * W4, 0f, 1f))),
        new($"chain, {N} noise 800x1216>1000x1520", PasteWork, Chain),
    ];

    protected override IReadOnlyList<KernelCase> Cases => All;

    private static Action Fused(IBackend b, List<IDisposable> owned, float[] values)
    {
        var probs = b.Upload<float>(values, N, 1, H4, W4);
        owned.Add(probs);
        int chunk = (int)Math.Min(N, (256L << 20) / ((long)OH * OW));
        var bits = Empty(b, owned, DType.UInt8, chunk, OH, OW);
        var host = new byte[(long)chunk * OH * OW];
        return () =>
        {
            for (int start = 0; start < N; start += chunk)
            {
                int n = Math.Min(chunk, N - start);
                using var part = probs.Slice(start, n);
                using var t = bits.Slice(0, n);
                b.PasteMasks(part, 4, RH, RW, 0.5f, t);
                b.Download<byte>(t, host.AsSpan(0, n * OH * OW));
            }
        };
    }

    private static Action Chain(IBackend b, List<IDisposable> owned)
    {
        int chunk = (int)((256L << 20) / (4L * (RH * RW + OH * OW)));
        var probs = RandomTensor(b, owned, 1, 0, 1, N, 1, H4, W4);
        var crop = Empty(b, owned, DType.Float32, chunk, 1, RH, RW);
        var ori = Empty(b, owned, DType.Float32, chunk, 1, OH, OW);
        var bits = Empty(b, owned, DType.UInt8, chunk, OH, OW);
        var host = new byte[(long)chunk * OH * OW];
        return () =>
        {
            for (int start = 0; start < N; start += chunk)
            {
                int n = Math.Min(chunk, N - start);
                using var part = probs.Slice(start, n);
                using var c = crop.Slice(0, n);
                using var o = ori.Slice(0, n);
                using var t = bits.Slice(0, n);
                b.AlignedBilinear(part, 4, c);
                b.UpsampleBilinear(c, o, alignCorners: false);
                b.Threshold(o, 0.5f, t);
                b.Download<byte>(t, host.AsSpan(0, n * OH * OW));
            }
        };
    }

    // Per instance a disc of seeded centre and radius (10 to 60 stride-4 pixels): sigmoid of a signed distance, so
    // probabilities go from ~1 inside through 0.5 on the rim to ~0 outside, as a detected object's mask does.
    private static float[] Discs()
    {
        var rng = new Random(2);
        var a = new float[(long)N * H4 * W4];
        for (int n = 0; n < N; n++)
        {
            float cy = rng.Next(H4), cx = rng.Next(W4), r = 10 + rng.Next(50);
            for (int y = 0; y < H4; y++)
                for (int x = 0; x < W4; x++)
                {
                    float d = MathF.Sqrt((y - cy) * (y - cy) + (x - cx) * (x - cx)) - r;
                    a[((long)n * H4 + y) * W4 + x] = 1f / (1f + MathF.Exp(d));
                }
        }
        return a;
    }
}
