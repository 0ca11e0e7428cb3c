namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// Convolutions of the R-50 CondInst at an 800x1216 input, engine (bias epilogue, no activation) against a one-node
/// ONNX Runtime Conv with bias: the FPN/head 3x3 at P3, a C4 lateral 1x1, the 7x7 stride-2 stem and a stride-2 3x3.
/// </summary>
public class ConvBenchmarks : KernelBenchmark
{
    private static readonly KernelCase[] All =
    [
        Make("3x3 256>256 @100x152", ConvSpec.Square(256, 256, 3, pad: 1), 100, 152),
        Make("1x1 1024>256 @50x76", ConvSpec.Square(1024, 256, 1), 50, 76),
        Make("7x7/2 3>64 @800x1216", ConvSpec.Square(3, 64, 7, stride: 2, pad: 3), 800, 1216),
        Make("3x3/2 128>128 @200x304", ConvSpec.Square(128, 128, 3, stride: 2, pad: 1), 200, 304),
    ];

    protected override IReadOnlyList<KernelCase> Cases => All;

    protected override bool OrtPeers => true;

    private static KernelCase Make(string name, ConvSpec spec, int h, int w)
    {
        int oh = spec.OutH(h), ow = spec.OutW(w);
        var weight = RandomFloats(1, spec.WeightCount, -0.05f, 0.05f);
        var bias = RandomFloats(2, spec.OutChannels);
        var work = new Work(2.0 * spec.Macs(oh, ow), 4.0 * (Count(spec.InChannels, h, w) + spec.WeightCount + Count(spec.OutChannels, oh, ow)));
        return new KernelCase(name, work,
            (b, owned) =>
            {
                var conv = b.PrepareConv(spec, weight, bias, []);
                owned.Add(conv);
                var x = RandomTensor(b, owned, 3, -1, 1, 1, spec.InChannels, h, w);
                var y = Empty(b, owned, DType.Float32, 1, spec.OutChannels, oh, ow);
                return () =>
                {
                    b.Conv2d(conv, x, y);
                    b.Synchronize();
                };
            },
            () => OrtOneNode.Create([1, spec.InChannels, h, w], [1, spec.OutChannels, oh, ow], (g, x) => g.Conv(x, spec, weight, bias, "y")));
    }
}
