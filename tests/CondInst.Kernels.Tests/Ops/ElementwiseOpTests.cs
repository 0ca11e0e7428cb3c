using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ops;

/// <summary>Element-wise operations on every backend against the reference.</summary>
public sealed class ElementwiseOpTests
{
    public static TheoryData<string> Backends => TestBackends.All;

    // Lengths cover empty, single, SIMD-remainder and multi-block cases.
    private static readonly int[] Lengths = [0, 1, 7, 8, 9, 31, 1000, 65537];

    [Theory]
    [MemberData(nameof(Backends))]
    public void UnaryMatchesReference(string backend)
    {
        var rng = new Random(1);
        foreach (var op in Enum.GetValues<UnaryOp>())
            foreach (int n in Lengths)
            {
                // Values span tiny to huge so exp/sigmoid saturation and overflow are covered.
                var x = RandomData.Floats(rng, n, -90f, 90f);
                if (n > 3) { x[0] = 0f; x[1] = -0f; x[2] = 1e-30f; }
                float alpha = 0.75f, beta = 8f;
                OpHarness.Check(backend, $"unary {op} n={n} alpha={alpha} beta={beta}", s =>
                {
                    var xt = s.Up(x, n);
                    var y = s.Out(DType.Float32, n);
                    s.B.Unary(op, xt, y, alpha, beta);
                    return [y];
                }, op is UnaryOp.Exp or UnaryOp.Sigmoid ? new Tolerance(2e-6, 0) : Tolerance.Exact);
            }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void AddAndThresholdMatchReference(string backend)
    {
        var rng = new Random(2);
        foreach (int n in Lengths)
        {
            var a = RandomData.Floats(rng, n);
            var b = RandomData.Floats(rng, n);
            OpHarness.Check(backend, $"add n={n}", s =>
            {
                var y = s.Out(DType.Float32, n);
                s.B.Add(s.Up(a, n), s.Up(b, n), y);
                return [y];
            }, Tolerance.Exact);
            OpHarness.Check(backend, $"threshold n={n}", s =>
            {
                var y = s.Out(DType.UInt8, n);
                s.B.Threshold(s.Up(a, n), 0.5f, y);
                return [y];
            }, Tolerance.Exact);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void InPlaceUnaryIsAllowed(string backend)
    {
        var x = new float[] { -2f, -0.5f, 0f, 3f };
        OpHarness.Check(backend, "relu in place", s =>
        {
            var t = s.Up(x, 4);
            s.B.Unary(UnaryOp.Relu, t, t);
            return [t];
        }, Tolerance.Exact);
    }

    // Seeded random lengths, ops, constants and thresholds (the cases above are hand-picked edges).
    [Theory]
    [MemberData(nameof(Backends))]
    public void RandomShapesMatchReference(string backend)
    {
        var rng = new Random(RandomShapes.Seed + 1);
        for (int iter = 0; iter < RandomShapes.Iterations; iter++)
        {
            int n = rng.Next(0, 3000);
            var op = Enum.GetValues<UnaryOp>()[rng.Next(Enum.GetValues<UnaryOp>().Length)];
            float alpha = (float)(rng.NextDouble() * 4 - 2), beta = (float)(rng.NextDouble() * 16), thr = (float)rng.NextDouble();
            var a = RandomData.Floats(rng, n, -30f, 30f);
            var b = RandomData.Floats(rng, n, -30f, 30f);
            OpHarness.Check(backend, $"random #{iter}: unary {op} n={n} alpha={alpha} beta={beta}", s =>
            {
                var y = s.Out(DType.Float32, n);
                s.B.Unary(op, s.Up(a, n), y, alpha, beta);
                return [y];
            }, op is UnaryOp.Exp or UnaryOp.Sigmoid ? new Tolerance(2e-6, 0) : Tolerance.Exact);
            OpHarness.Check(backend, $"random #{iter}: add and threshold {thr} n={n}", s =>
            {
                var sum = s.Out(DType.Float32, n);
                s.B.Add(s.Up(a, n), s.Up(b, n), sum);
                var bits = s.Out(DType.UInt8, n);
                s.B.Threshold(s.Up(b, n), thr, bits);
                return [sum, bits];
            }, Tolerance.Exact);
        }
    }
}
