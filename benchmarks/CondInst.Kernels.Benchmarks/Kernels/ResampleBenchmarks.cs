namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// Resizes of the network at an 800x1216 input, engine against ONNX Runtime Resize: the FPN's nearest ×2
/// (P4 → P3 size), the mask branch's aligned_bilinear ×4 (P5 features → P3; the ORT peer is the pad + resize +
/// pad + slice subgraph of the ORT body), a bilinear (align_corners false) mask resize to an original size, and
/// the stem's 3x3 stride-2 max pool against a one-node ONNX Runtime MaxPool.
/// </summary>
public class ResampleBenchmarks : KernelBenchmark
{
    // Two lerps along W and one along H per output, 2 operations each.
    private const double BilinearFlop = 6;

    private static readonly KernelCase[] All =
    [
        Nearest("nearest x2 256 @50x76", 256, 50, 76),
        Aligned("aligned x4 128 @25x38", 128, 25, 38, 4),
        Bilinear("bilinear 10 @800x1216>1000x1520", 10, 800, 1216, 1000, 1520),
        MaxPool("MaxPool 3x3/2 64 @400x608", 64, 400, 608),
    ];

    protected override IReadOnlyList<KernelCase> Cases => All;

    protected override bool OrtPeers => true;

    private static KernelCase Nearest(string name, int c, int h, int w) =>
        new(name, new Work(0, 4.0 * c * (h * w + 4 * h * w)),
            (b, owned) =>
            {
                var x = RandomTensor(b, owned, 1, -1, 1, 1, c, h, w);
                var y = Empty(b, owned, DType.Float32, 1, c, 2 * h, 2 * w);
                return () =>
                {
                    b.UpsampleNearest(x, y);
                    b.Synchronize();
                };
            },
            () => OrtOneNode.Create([1, c, h, w], [1, c, 2 * h, 2 * w], (g, x) => g.UpsampleNearest(x, g.Constant([1L, c, 2 * h, 2 * w], 4), "y")));

    private static KernelCase Aligned(string name, int c, int h, int w, int f) =>
        new(name, new Work(BilinearFlop * c * f * h * f * w, 4.0 * c * (h * w + f * h * f * w)),
            (b, owned) =>
            {
                var x = RandomTensor(b, owned, 1, -1, 1, 1, c, h, w);
                var y = Empty(b, owned, DType.Float32, 1, c, f * h, f * w);
                return () =>
                {
                    b.AlignedBilinear(x, f, y);
                    b.Synchronize();
                };
            },
            () => OrtOneNode.Create([1, c, h, w], [1, c, f * h, f * w], (g, x) => g.AlignedBilinear(x, f, g.Constant([1L, c, f * h + 1, f * w + 1], 4), "y")));

    private static KernelCase Bilinear(string name, int n, int h, int w, int oh, int ow) =>
        new(name, new Work(BilinearFlop * n * oh * ow, 4.0 * n * (h * w + oh * ow)),
            (b, owned) =>
            {
                var x = RandomTensor(b, owned, 1, 0, 1, n, 1, h, w);
                var y = Empty(b, owned, DType.Float32, n, 1, oh, ow);
                return () =>
                {
                    b.UpsampleBilinear(x, y, alignCorners: false);
                    b.Synchronize();
                };
            },
            () => OrtOneNode.Create([n, 1, h, w], [n, 1, oh, ow], (g, x) => g.ResizeLinear(x, g.Constant([(long)n, 1, oh, ow], 4), alignCorners: false, "y")));

    // 8 comparisons per output counted as operations.
    private static KernelCase MaxPool(string name, int c, int h, int w)
    {
        int oh = (h + 1) / 2, ow = (w + 1) / 2;
        return new(name, new Work(8.0 * c * oh * ow, 4.0 * c * (h * w + oh * ow)),
            (b, owned) =>
            {
                var x = RandomTensor(b, owned, 1, -1, 1, 1, c, h, w);
                var y = Empty(b, owned, DType.Float32, 1, c, oh, ow);
                return () =>
                {
                    b.MaxPool2d(x, 3, 2, 1, y);
                    b.Synchronize();
                };
            },
            () => OrtOneNode.Create([1, c, h, w], [1, c, oh, ow], (g, x) => g.MaxPool(x, 3, 2, 1, "y")));
    }
}
