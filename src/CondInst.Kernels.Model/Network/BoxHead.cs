namespace CondInst.Kernels.Model;

/// <summary>The head's outputs on one FPN level (docs/INFERENCE.md#box-head); all [1, C, H, W].</summary>
internal sealed record LevelOutputs(Tensor ClsScore, Tensor BboxPred, Tensor Centerness, Tensor ParamPred) : IDisposable
{
    public void Dispose()
    {
        ClsScore.Dispose();
        BboxPred.Dispose();
        Centerness.Dispose();
        ParamPred.Dispose();
    }
}

/// <summary>
/// The CondInst box head shared over P3..P7: two towers of conv(bias) → GroupNorm(32) → ReLU, classification on the
/// cls tower; box regression, centerness and the controller on the reg tower; box = max(scale_l · raw, 0) · stride_l.
/// </summary>
internal sealed class BoxHead : IDisposable
{
    private readonly IBackend _b;
    private readonly ConvUnit[] _cls, _reg;
    private readonly Tensor[] _clsGamma, _clsBeta, _regGamma, _regBeta;
    private readonly ConvUnit _convCls, _convReg, _convCtr, _controller;
    private readonly float[] _scales = new float[5];

    public BoxHead(IBackend b, WeightSet w, CondInstArchitecture arch)
    {
        _b = b;
        int n = arch.HeadConvs, c = arch.HeadChannels;
        _cls = new ConvUnit[n];
        _reg = new ConvUnit[n];
        _clsGamma = new Tensor[n];
        _clsBeta = new Tensor[n];
        _regGamma = new Tensor[n];
        _regBeta = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            _cls[i] = ConvUnit.Create(b, w, $"bbox_head.cls_convs.{i}.conv.weight", $"bbox_head.cls_convs.{i}.conv.bias", null);
            _reg[i] = ConvUnit.Create(b, w, $"bbox_head.reg_convs.{i}.conv.weight", $"bbox_head.reg_convs.{i}.conv.bias", null);
            _clsGamma[i] = b.Upload<float>(w.Get($"bbox_head.cls_convs.{i}.gn.weight", c), c);
            _clsBeta[i] = b.Upload<float>(w.Get($"bbox_head.cls_convs.{i}.gn.bias", c), c);
            _regGamma[i] = b.Upload<float>(w.Get($"bbox_head.reg_convs.{i}.gn.weight", c), c);
            _regBeta[i] = b.Upload<float>(w.Get($"bbox_head.reg_convs.{i}.gn.bias", c), c);
        }
        _convCls = ConvUnit.Create(b, w, "bbox_head.conv_cls.weight", "bbox_head.conv_cls.bias", null);
        _convReg = ConvUnit.Create(b, w, "bbox_head.conv_reg.weight", "bbox_head.conv_reg.bias", null);
        _convCtr = ConvUnit.Create(b, w, "bbox_head.conv_centerness.weight", "bbox_head.conv_centerness.bias", null);
        _controller = ConvUnit.Create(b, w, "bbox_head.controller.weight", "bbox_head.controller.bias", null);
        for (int l = 0; l < 5; l++) _scales[l] = w.Get($"bbox_head.scales.{l}.scale")[0];
    }

    /// <summary>Runs the head on one level; the caller owns the outputs.</summary>
    public LevelOutputs Forward(Tensor p, int level, IStageObserver observer)
    {
        var clsFeat = Tower(p, _cls, _clsGamma, _clsBeta);
        var regFeat = Tower(p, _reg, _regGamma, _regBeta);
        var cls = _convCls.Run(clsFeat, relu: false);
        clsFeat.Dispose();
        var bbox = _convReg.Run(regFeat, relu: false);
        _b.Unary(UnaryOp.ScaleReluScale, bbox, bbox, _scales[level], CondInstArchitecture.Strides[level]);
        var ctr = _convCtr.Run(regFeat, relu: false);
        var param = _controller.Run(regFeat, relu: false);
        regFeat.Dispose();
        var o = new LevelOutputs(cls, bbox, ctr, param);
        observer.Tensor($"head_cls_score_l{level}", cls);
        observer.Tensor($"head_bbox_pred_l{level}", bbox);
        observer.Tensor($"head_centerness_l{level}", ctr);
        observer.Tensor($"head_param_pred_l{level}", param);
        return o;
    }

    private Tensor Tower(Tensor x, ConvUnit[] convs, Tensor[] gamma, Tensor[] beta)
    {
        var t = x;
        for (int i = 0; i < convs.Length; i++)
        {
            var y = convs[i].Run(t, relu: false);
            if (!ReferenceEquals(t, x)) t.Dispose();
            _b.GroupNorm(y, gamma[i], beta[i], CondInstArchitecture.GroupNormGroups, CondInstArchitecture.NormEps, relu: true, y);
            t = y;
        }
        return t;
    }

    public void Dispose()
    {
        foreach (var u in _cls.Concat(_reg).Append(_convCls).Append(_convReg).Append(_convCtr).Append(_controller)) u.Dispose();
        foreach (var t in _clsGamma.Concat(_clsBeta).Concat(_regGamma).Concat(_regBeta)) t.Dispose();
    }
}
