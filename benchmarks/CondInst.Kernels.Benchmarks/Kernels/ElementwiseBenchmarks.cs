using CondInst.Kernels.Benchmarks.Onnx;

namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// The element-wise ops where the network runs them at an 800x1216 input, engine against ONNX Runtime: the FPN's
/// top-down sum at P3 ([1, 256, 100, 152], two inputs), the sigmoid of 100 instances' stride-4 mask logits
/// ([100, 1, 200, 304]) and FCOS's box-regression scale-clamp-stride at P3 ([1, 4, 100, 152]; ORT: Mul, Relu,
/// Mul). The mask threshold has no peer of the same output type (ORT's Greater gives bool) and is timed fused
/// into the paste in <see cref="MaskPasteBenchmarks"/>.
/// </summary>
public class ElementwiseBenchmarks : KernelBenchmark
{
    // exp, add, divide and the negation per element.
    private const double SigmoidFlop = 4;

    private static readonly KernelCase[] All =
    [
        Add("add 256 @100x152", [1, 256, 100, 152]),
        Sigmoid("sigmoid 100 @200x304", [100, 1, 200, 304]),
        ScaleReluScale("scale-relu-scale 4 @100x152", [1, 4, 100, 152], 1.1f, 8f),
    ];

    protected override IReadOnlyList<KernelCase> Cases => All;

    protected override bool OrtPeers => true;

    private static KernelCase Add(string name, int[] shape) =>
        new(name, new Work(Count(shape), 12.0 * Count(shape)),
            (b, owned) =>
            {
                var a = RandomTensor(b, owned, 1, -1, 1, shape);
                var c = RandomTensor(b, owned, 2, -1, 1, shape);
                var y = Empty(b, owned, DType.Float32, shape);
                return () =>
                {
                    b.Add(a, c, y);
                    b.Synchronize();
                };
            },
            () =>
            {
                long[] dims = shape.Select(d => (long)d).ToArray();
                var g = new OnnxGraphBuilder("kernel");
                string a = g.Input("a", OnnxType.Float, dims.Cast<object>().ToArray());
                string c = g.Input("b", OnnxType.Float, dims.Cast<object>().ToArray());
                g.Add(a, c, "y");
                g.Output("y", OnnxType.Float, dims.Cast<object>().ToArray());
                return new OrtOneNode(g.Build(17), [("a", dims), ("b", dims)], [("y", dims)], KernelBackends.OrtThreads);
            });

    private static KernelCase Sigmoid(string name, int[] shape) =>
        new(name, new Work(SigmoidFlop * Count(shape), 8.0 * Count(shape)),
            (b, owned) =>
            {
                var x = RandomTensor(b, owned, 1, -8, 8, shape);
                var y = Empty(b, owned, DType.Float32, shape);
                return () =>
                {
                    b.Unary(UnaryOp.Sigmoid, x, y);
                    b.Synchronize();
                };
            },
            () => OrtOneNode.Create(Dims(shape), Dims(shape), (g, x) => g.Node("Sigmoid", [x], "y")));

    private static KernelCase ScaleReluScale(string name, int[] shape, float alpha, float beta) =>
        new(name, new Work(3.0 * Count(shape), 8.0 * Count(shape)),
            (b, owned) =>
            {
                var x = RandomTensor(b, owned, 1, -2, 2, shape);
                var y = Empty(b, owned, DType.Float32, shape);
                return () =>
                {
                    b.Unary(UnaryOp.ScaleReluScale, x, y, alpha, beta);
                    b.Synchronize();
                };
            },
            () => OrtOneNode.Create(Dims(shape), Dims(shape), (g, x) => g.Mul(g.Relu(g.Mul(x, g.Scalar(alpha))), g.Scalar(beta), "y")));

    private static long[] Dims(int[] shape) => shape.Select(d => (long)d).ToArray();
}
