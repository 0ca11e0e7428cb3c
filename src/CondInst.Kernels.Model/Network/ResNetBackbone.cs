namespace CondInst.Kernels.Model;

/// <summary>
/// ResNet-50, pytorch style (stride on the 3x3), frozen BatchNorm folded into every convolution (docs/INFERENCE.md#backbone).
/// Returns C3, C4, C5 (C2 is only dumped: the FPN starts at level 1).
/// </summary>
internal sealed class ResNetBackbone : IDisposable
{
    private readonly IBackend _b;
    private readonly ConvUnit _stem;
    private readonly Bottleneck[][] _stages;

    public ResNetBackbone(IBackend b, WeightSet w, CondInstArchitecture arch)
    {
        _b = b;
        _stem = ConvUnit.Create(b, w, "backbone.conv1.weight", null, "backbone.bn1", stride: 2, padding: 3);
        _stages = new Bottleneck[4][];
        for (int s = 0; s < 4; s++)
        {
            _stages[s] = new Bottleneck[arch.BlocksPerStage[s]];
            for (int i = 0; i < _stages[s].Length; i++)
                _stages[s][i] = new Bottleneck(b, w, $"backbone.layer{s + 1}.{i}", stride: i == 0 && s > 0 ? 2 : 1, downsample: i == 0);
        }
    }

    /// <summary>Runs the backbone on a [N, 3, H, W] input; the caller owns the returned C3, C4, C5.</summary>
    public Tensor[] Forward(Tensor input, IStageObserver observer)
    {
        var stem = _stem.Run(input, relu: true);
        var pooled = _b.Allocate(DType.Float32, stem.Dim(0), stem.Dim(1), (stem.Dim(2) - 1) / 2 + 1, (stem.Dim(3) - 1) / 2 + 1);
        _b.MaxPool2d(stem, 3, 2, 1, pooled);
        stem.Dispose();
        observer.Tensor("stem_pool", pooled);
        var outputs = new List<Tensor>();
        var x = pooled;
        for (int s = 0; s < 4; s++)
        {
            foreach (var block in _stages[s])
            {
                var y = block.Forward(x);
                if (!outputs.Contains(x)) x.Dispose();
                x = y;
            }
            observer.Tensor($"backbone_c{s + 2}", x);
            if (s > 0) outputs.Add(x);
        }
        return outputs.ToArray();
    }

    public void Dispose()
    {
        _stem.Dispose();
        foreach (var stage in _stages)
            foreach (var block in stage) block.Dispose();
    }

    /// <summary>out = ReLU(BN3(conv3(ReLU(BN2(conv2(ReLU(BN1(conv1(x))))))) + identity).</summary>
    private sealed class Bottleneck(IBackend b, WeightSet w, string p, int stride, bool downsample) : IDisposable
    {
        private readonly ConvUnit _conv1 = ConvUnit.Create(b, w, p + ".conv1.weight", null, p + ".bn1");
        private readonly ConvUnit _conv2 = ConvUnit.Create(b, w, p + ".conv2.weight", null, p + ".bn2", stride);
        private readonly ConvUnit _conv3 = ConvUnit.Create(b, w, p + ".conv3.weight", null, p + ".bn3");
        private readonly ConvUnit? _down = downsample ? ConvUnit.Create(b, w, p + ".downsample.0.weight", null, p + ".downsample.1", stride) : null;

        public Tensor Forward(Tensor x)
        {
            var identity = _down?.Run(x, relu: false) ?? x;
            var a = _conv1.Run(x, relu: true);
            var c = _conv2.Run(a, relu: true);
            a.Dispose();
            var y = _conv3.Run(c, relu: true, residual: identity);
            c.Dispose();
            if (_down != null) identity.Dispose();
            return y;
        }

        public void Dispose()
        {
            _conv1.Dispose();
            _conv2.Dispose();
            _conv3.Dispose();
            _down?.Dispose();
        }
    }
}
