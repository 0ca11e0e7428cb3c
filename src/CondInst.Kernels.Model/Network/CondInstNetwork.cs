namespace CondInst.Kernels.Model;

/// <summary>The convolutional body's outputs for one image: the head outputs per level and the mask feature.</summary>
internal sealed class NetworkOutputs(LevelOutputs[] levels, Tensor maskFeature) : IDisposable
{
    public LevelOutputs[] Levels { get; } = levels;

    public Tensor MaskFeature { get; } = maskFeature;

    public void Dispose()
    {
        foreach (var l in Levels) l.Dispose();
        MaskFeature.Dispose();
    }
}

/// <summary>
/// The convolutional body: input [1, 3, Hp, Wp] → head outputs on P3..P7 and the mask feature, as tensors of the
/// model's backend. The engine's own <see cref="CondInstNetwork"/> is one; benchmarks plug in peers (ONNX Runtime)
/// to time the same pre- and post-processing around another body.
/// </summary>
internal interface IConvolutionalBody : IDisposable
{
    /// <summary>
    /// Runs the body. With <paramref name="consumeInput"/> it frees the input as soon as it has read it (after the
    /// stem), so that the input is not alive at the body's peak of memory; the input is freed on failure too.
    /// </summary>
    NetworkOutputs Forward(Tensor input, IStageObserver observer, bool consumeInput);
}

/// <summary>
/// The CondInst convolutional body on one backend: ResNet-50 → FPN → box head on P3..P7 and mask branch on P3..P5.
/// Holds the prepared weights; <see cref="Forward(Tensor, IStageObserver, bool)"/> allocates from the backend's pool and frees as it goes.
/// </summary>
internal sealed class CondInstNetwork : IConvolutionalBody
{
    private readonly ResNetBackbone _backbone;
    private readonly Fpn _fpn;
    private readonly BoxHead _head;
    private readonly MaskBranch _mask;

    public CondInstNetwork(IBackend backend, WeightSet weights, CondInstArchitecture arch)
    {
        Backend = backend;
        Architecture = arch;
        _backbone = new ResNetBackbone(backend, weights, arch);
        _fpn = new Fpn(backend, weights);
        _head = new BoxHead(backend, weights, arch);
        _mask = new MaskBranch(backend, weights, arch);
    }

    public IBackend Backend { get; }

    public CondInstArchitecture Architecture { get; }

    /// <summary>Runs the body on a [1, 3, Hp, Wp] input (Hp, Wp multiples of 32), which the caller keeps.</summary>
    public NetworkOutputs Forward(Tensor input, IStageObserver observer) => Forward(input, observer, consumeInput: false);

    /// <inheritdoc/>
    public NetworkOutputs Forward(Tensor input, IStageObserver observer, bool consumeInput)
    {
        var c = _backbone.Forward(input, observer, consumeInput);
        observer.StageDone("backbone");
        Tensor[] p;
        try
        {
            p = _fpn.Forward(c, observer);
        }
        finally
        {
            foreach (var t in c) t.Dispose();
        }
        observer.StageDone("fpn");
        try
        {
            var levels = new LevelOutputs[5];
            for (int l = 0; l < 5; l++) levels[l] = _head.Forward(p[l], l, observer);
            observer.StageDone("head");
            var feat = _mask.Forward(p, observer);
            observer.StageDone("mask_branch");
            return new NetworkOutputs(levels, feat);
        }
        finally
        {
            foreach (var t in p) t.Dispose();
        }
    }

    public void Dispose()
    {
        _backbone.Dispose();
        _fpn.Dispose();
        _head.Dispose();
        _mask.Dispose();
    }
}
