namespace CondInst.Kernels.Model;

/// <summary>
/// FPN from C3..C5 with P6 = conv(P5) and P7 = conv(ReLU(P6)) on the outputs, all convolutions with bias and no
/// activation; top-down path by nearest resize to the lateral's size (docs/INFERENCE.md#fpn).
/// </summary>
internal sealed class Fpn : IDisposable
{
    private readonly IBackend _b;
    private readonly ConvUnit[] _lateral = new ConvUnit[3];
    private readonly ConvUnit[] _output = new ConvUnit[5];

    public Fpn(IBackend b, WeightSet w)
    {
        _b = b;
        for (int i = 0; i < 3; i++)
            _lateral[i] = ConvUnit.Create(b, w, $"neck.lateral_convs.{i}.conv.weight", $"neck.lateral_convs.{i}.conv.bias", null);
        for (int i = 0; i < 5; i++)
            _output[i] = ConvUnit.Create(b, w, $"neck.fpn_convs.{i}.conv.weight", $"neck.fpn_convs.{i}.conv.bias", null, stride: i < 3 ? 1 : 2);
    }

    /// <summary>P3..P7 from C3..C5; the caller owns the returned tensors.</summary>
    public Tensor[] Forward(Tensor[] c, IStageObserver observer)
    {
        var lat = new Tensor[3];
        for (int i = 0; i < 3; i++) lat[i] = _lateral[i].Run(c[i], relu: false);
        for (int i = 2; i > 0; i--)
        {
            var up = _b.Allocate(DType.Float32, lat[i - 1].Shape.ToArray());
            _b.UpsampleNearest(lat[i], up);
            _b.Add(lat[i - 1], up, lat[i - 1]);
            up.Dispose();
        }
        var p = new Tensor[5];
        for (int i = 0; i < 3; i++)
        {
            p[i] = _output[i].Run(lat[i], relu: false);
            lat[i].Dispose();
        }
        p[3] = _output[3].Run(p[2], relu: false);
        var relu6 = _b.Allocate(DType.Float32, p[3].Shape.ToArray());
        _b.Unary(UnaryOp.Relu, p[3], relu6);
        p[4] = _output[4].Run(relu6, relu: false);
        relu6.Dispose();
        for (int i = 0; i < 5; i++) observer.Tensor($"fpn_p{i + 3}", p[i]);
        return p;
    }

    public void Dispose()
    {
        foreach (var u in _lateral) u.Dispose();
        foreach (var u in _output) u.Dispose();
    }
}
