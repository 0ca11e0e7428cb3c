namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// Mask paste of 100 instances as the model runs it (MaskPredictor): stride-4 probabilities [100, 1, 200, 304] →
/// aligned_bilinear ×4 cropped to the resized image 800x1216 → bilinear to the original 1000x1520 → threshold →
/// download the bits, in chunks of 26 instances (256 MB of float intermediates per chunk, as the model does).
/// </summary>
public class MaskPasteBenchmarks : KernelBenchmark
{
    private const int N = 100, H4 = 200, W4 = 304, RH = 800, RW = 1216, OH = 1000, OW = 1520;

    private static readonly int Chunk = (int)((256L << 20) / (4L * (RH * RW + OH * OW)));

    private static readonly KernelCase[] All =
    [
        new($"paste {N} inst 800x1216>1000x1520",
            new Work(6.0 * N * ((long)RH * RW + (long)OH * OW) + 1.0 * N * OH * OW,
                N * (4.0 * H4 * W4 + 8.0 * RH * RW + 8.0 * OH * OW + 2.0 * OH * OW)),
            (b, owned) =>
            {
                var probs = RandomTensor(b, owned, 1, 0, 1, N, 1, H4, W4);
                var crop = Empty(b, owned, DType.Float32, Chunk, 1, RH, RW);
                var ori = Empty(b, owned, DType.Float32, Chunk, 1, OH, OW);
                var bits = Empty(b, owned, DType.UInt8, Chunk, OH, OW);
                var host = new byte[(long)Chunk * OH * OW];
                return () =>
                {
                    for (int start = 0; start < N; start += Chunk)
                    {
                        int n = Math.Min(Chunk, N - start);
                        using var part = probs.Slice(start, n);
                        using var c = crop.Slice(0, n);
                        using var o = ori.Slice(0, n);
                        using var t = bits.Slice(0, n);
                        b.AlignedBilinear(part, 4, c);
                        b.UpsampleBilinear(c, o, alignCorners: false);
                        b.Threshold(o, 0.5f, t);
                        b.Download<byte>(t, host);
                    }
                };
            }),
    ];

    protected override IReadOnlyList<KernelCase> Cases => All;
}
