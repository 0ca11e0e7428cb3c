namespace CondInst.Kernels.Tests.Reference;

public sealed partial class ReferenceBackend
{
    public override void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f, float beta = 1f)
    {
        OpChecks.SameLength("unary", this, x, y, DType.Float32, DType.Float32);
        var xs = F(x);
        var ys = Fs(y);
        for (int i = 0; i < xs.Length; i++)
            ys[i] = op switch
            {
                UnaryOp.Relu => MathF.Max(xs[i], 0f),
                UnaryOp.Sigmoid => Sigmoid(xs[i]),
                UnaryOp.Exp => MathF.Exp(xs[i]),
                UnaryOp.Scale => alpha * xs[i],
                UnaryOp.ScaleReluScale => MathF.Max(alpha * xs[i], 0f) * beta,
                _ => throw new ArgumentOutOfRangeException(nameof(op)),
            };
    }

    public override void Add(Tensor a, Tensor b, Tensor y)
    {
        OpChecks.SameLength("add", this, a, y, DType.Float32, DType.Float32);
        OpChecks.SameLength("add", this, b, y, DType.Float32, DType.Float32);
        var av = F(a);
        var bv = F(b);
        var ys = Fs(y);
        for (int i = 0; i < av.Length; i++) ys[i] = av[i] + bv[i];
    }

    public override void Threshold(Tensor x, float threshold, Tensor y)
    {
        OpChecks.SameLength("threshold", this, x, y, DType.Float32, DType.UInt8);
        var xs = F(x);
        var ys = Bs(y);
        for (int i = 0; i < xs.Length; i++) ys[i] = xs[i] > threshold ? (byte)1 : (byte)0;
    }
}
