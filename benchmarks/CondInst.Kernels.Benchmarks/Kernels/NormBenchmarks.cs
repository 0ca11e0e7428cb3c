namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// GroupNorm(32) + ReLU over a head tower activation [1, 256, 100, 152] (in place in the engine); the ONNX Runtime
/// peer is the subgraph the ORT body uses: Reshape → InstanceNormalization → Reshape → Mul γ → Add β → Relu.
/// </summary>
public class NormBenchmarks : KernelBenchmark
{
    private const int C = 256, H = 100, W = 152, Groups = 32;

    // Per element: sum and sum of squares (3), subtract and scale (2), γ/β multiply-add (2), ReLU (1).
    private const double FlopPerElement = 8;

    private static readonly KernelCase[] All =
    [
        new("GroupNorm32+ReLU 256 @100x152", new Work(FlopPerElement * C * H * W, 8.0 * C * H * W),
            (b, owned) =>
            {
                var x = RandomTensor(b, owned, 1, -2, 2, 1, C, H, W);
                var gamma = RandomTensor(b, owned, 2, 0.5f, 1, C);
                var beta = RandomTensor(b, owned, 3, -0.1f, 0.1f, C);
                return () =>
                {
                    b.GroupNorm(x, gamma, beta, Groups, 1e-5f, relu: true, x);
                    b.Synchronize();
                };
            },
            () => OrtOneNode.Create([1, C, H, W], [1, C, H, W], (g, x) =>
                g.GroupNorm(x, g.Shape(x), RandomFloats(2, C, 0.5f, 1), RandomFloats(3, C, -0.1f, 0.1f), Groups, 1e-5f, relu: true, "y"))),
    ];

    protected override IReadOnlyList<KernelCase> Cases => All;

    protected override bool OrtPeers => true;
}
