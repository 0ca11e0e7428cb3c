using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// The CPU backend's vector exp near the ends of the float range: results that are subnormal (x below about -87.3)
/// or overflow must still match MathF.Exp to 2e-6 relative, with no absolute slack.
/// </summary>
public sealed class VectorExpTests
{
    [Theory]
    [InlineData(-104f, -80f)]
    [InlineData(80f, 90f)]
    [InlineData(-20f, 20f)]
    public void ExpAndSigmoidHoldRelativeAccuracy(float lo, float hi)
    {
        const int n = 4099;
        var x = Enumerable.Range(0, n).Select(i => lo + (hi - lo) * i / (n - 1)).ToArray();
        foreach (var op in new[] { UnaryOp.Exp, UnaryOp.Sigmoid })
            OpHarness.Check("cpu", $"unary {op} over [{lo}, {hi}]", s =>
            {
                var y = s.Out(DType.Float32, n);
                s.B.Unary(op, s.Up(x, n), y);
                return [y];
            }, new Tolerance(2e-6, 0));
    }
}
