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

    /// <summary>
    /// Runs the backbone on a [N, 3, H, W] input; the caller owns the returned C3, C4, C5. Every other feature map is
    /// freed as soon as its last consumer ran (the live set is at most a block's input, identity, one intermediate and
    /// the kept outputs), and each block's output is written over its identity (see <see cref="Bottleneck.Forward"/>).
    /// </summary>
    public Tensor[] Forward(Tensor input, IStageObserver observer) => Forward(input, observer, consumeInput: false);

    /// <summary>As <see cref="Forward(Tensor, IStageObserver)"/>; with <paramref name="consumeInput"/> the input is freed once the stem has read it (or on failure).</summary>
    public Tensor[] Forward(Tensor input, IStageObserver observer, bool consumeInput)
    {
        Tensor stem;
        try
        {
            stem = _stem.Run(input, relu: true);
        }
        finally
        {
            if (consumeInput) input.Dispose();
        }
        var pooled = _b.Allocate(DType.Float32, stem.Dim(0), stem.Dim(1), (stem.Dim(2) - 1) / 2 + 1, (stem.Dim(3) - 1) / 2 + 1);
        _b.MaxPool2d(stem, 3, 2, 1, pooled);
        stem.Dispose();
        observer.Tensor("stem_pool", pooled);
        var outputs = new List<Tensor>();
        var x = pooled;
        try
        {
            for (int s = 0; s < 4; s++)
            {
                foreach (var block in _stages[s])
                {
                    // A kept output (C3, C4) feeds the next stage's first block, which must leave it intact.
                    bool kept = outputs.Contains(x);
                    var y = block.Forward(x, consume: !kept);
                    x = y;
                }
                observer.Tensor($"backbone_c{s + 2}", x);
                if (s > 0) outputs.Add(x);
            }
        }
        catch
        {
            if (!outputs.Contains(x)) x.Dispose();
            foreach (var t in outputs) t.Dispose();
            throw;
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

        /// <summary>
        /// The block on <paramref name="x"/>. With <paramref name="consume"/> the block owns x: it frees x as soon as the
        /// downsample and conv1 have read it, and without a downsample writes its output over x (the identity: conv3's
        /// epilogue reads each residual element before it writes that element). Otherwise x is left as it was.
        /// </summary>
        public Tensor Forward(Tensor x, bool consume)
        {
            // Order for the smallest live set: the main path first (its 4x narrower intermediates), then the
            // downsample, so x, conv1's output and the downsampled identity are never alive together.
            Tensor c;
            using (var a = _conv1.Run(x, relu: true))
                c = _conv2.Run(a, relu: true);
            using (c)
            {
                if (_down is null && !consume) return _conv3.Run(c, relu: true, residual: x);
                var identity = _down?.Run(x, relu: false) ?? x;
                if (consume && !ReferenceEquals(identity, x)) x.Dispose();
                try
                {
                    _conv3.RunInto(c, identity, relu: true, residual: identity);
                }
                catch
                {
                    if (!ReferenceEquals(identity, x)) identity.Dispose();
                    throw;
                }
                return identity;
            }
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
