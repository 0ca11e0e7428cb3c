namespace CondInst.Kernels.Model;

/// <summary>
/// The mask feature branch (docs/INFERENCE.md#mask-branch): conv+BN+ReLU on P3, P4, P5, the coarser two brought to P3's size by
/// aligned_bilinear and summed in that order, four conv+BN+ReLU, then a 1x1 conv with bias to 8 channels (stride 8).
/// </summary>
internal sealed class MaskBranch : IDisposable
{
    private const string Prefix = "mask_head.mask_feature_head";
    private readonly IBackend _b;
    private readonly ConvUnit[] _levels = new ConvUnit[3];
    private readonly ConvUnit[] _branch;
    private readonly ConvUnit _pred;

    public MaskBranch(IBackend b, WeightSet w, CondInstArchitecture arch)
    {
        _b = b;
        for (int i = 0; i < 3; i++)
            _levels[i] = ConvUnit.Create(b, w, $"{Prefix}.convs_all_levels.{i}.conv{i}.conv.weight", null, $"{Prefix}.convs_all_levels.{i}.conv{i}.bn");
        _branch = new ConvUnit[arch.MaskBranchConvs];
        for (int i = 0; i < _branch.Length; i++)
            _branch[i] = ConvUnit.Create(b, w, $"{Prefix}.conv_branch.{i}.conv.weight", null, $"{Prefix}.conv_branch.{i}.bn");
        _pred = ConvUnit.Create(b, w, $"{Prefix}.conv_pred.weight", $"{Prefix}.conv_pred.bias", null);
    }

    /// <summary>The [N, 8, H3, W3] mask feature from P3, P4, P5; the caller owns it.</summary>
    public Tensor Forward(Tensor[] p, IStageObserver observer)
    {
        var sum = _levels[0].Run(p[0], relu: true);
        for (int i = 1; i < 3; i++)
        {
            var f = _levels[i].Run(p[i], relu: true);
            observer.Tensor($"maskfeat_level{i}", f);
            int factor = sum.Dim(2) / f.Dim(2);
            if (factor * f.Dim(2) != sum.Dim(2) || factor * f.Dim(3) != sum.Dim(3))
                throw new InvalidOperationException($"mask branch: level {i} map {f} is not an integer factor of P3's {sum}; inputs must be padded to a multiple of 32");
            var up = _b.Allocate(DType.Float32, sum.Shape.ToArray());
            _b.AlignedBilinear(f, factor, up);
            f.Dispose();
            _b.Add(sum, up, sum);
            up.Dispose();
        }
        var x = sum;
        foreach (var conv in _branch)
        {
            var y = conv.Run(x, relu: true);
            x.Dispose();
            x = y;
        }
        var feat = _pred.Run(x, relu: false);
        x.Dispose();
        observer.Tensor("mask_feat", feat);
        return feat;
    }

    public void Dispose()
    {
        foreach (var u in _levels.Concat(_branch).Append(_pred)) u.Dispose();
    }
}
