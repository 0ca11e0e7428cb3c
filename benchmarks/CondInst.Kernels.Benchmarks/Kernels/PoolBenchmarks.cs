namespace CondInst.Kernels.Benchmarks;

/// <summary>The stem's 3x3 stride-2 max pool on [1, 64, 400, 608], engine against a one-node ONNX Runtime MaxPool.</summary>
public class PoolBenchmarks : KernelBenchmark
{
    private const int C = 64, H = 400, W = 608, OH = 200, OW = 304;

    private static readonly KernelCase[] All =
    [
        // 8 comparisons per output counted as operations.
        new("MaxPool 3x3/2 64 @400x608", new Work(8.0 * C * OH * OW, 4.0 * C * (H * W + OH * OW)),
            (b, owned) =>
            {
                var x = RandomTensor(b, owned, 1, -1, 1, 1, C, H, W);
                var y = Empty(b, owned, DType.Float32, 1, C, OH, OW);
                return () =>
                {
                    b.MaxPool2d(x, 3, 2, 1, y);
                    b.Synchronize();
                };
            },
            () => OrtOneNode.Create([1, C, H, W], [1, C, OH, OW], (g, x) => g.MaxPool(x, 3, 2, 1, "y"))),
    ];

    protected override IReadOnlyList<KernelCase> Cases => All;

    protected override bool OrtPeers => true;
}
