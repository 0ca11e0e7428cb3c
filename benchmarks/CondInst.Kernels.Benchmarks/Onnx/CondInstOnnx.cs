using CondInst.Kernels.Model;

namespace CondInst.Kernels.Benchmarks.Onnx;

/// <summary>
/// The CondInst convolutional body as one ONNX graph, built from the same <see cref="WeightSet"/> the engine runs:
/// ResNet-50 (BatchNorm folded into the convolutions exactly as the engine's ConvUnit folds it), FPN with P6/P7,
/// the shared box head on P3..P7 (GroupNorm as reshape + InstanceNormalization + affine) and the mask branch
/// (aligned_bilinear as pad + align-corners resize + pad + slice). Input "input" [N, 3, H, W] (H, W multiples of
/// 32, symbolic), outputs per level l: cls_score_l, bbox_pred_l, centerness_l, param_pred_l, then mask_feat.
/// </summary>
public sealed class CondInstOnnx
{
    /// <summary>Name of the graph input.</summary>
    public const string InputName = "input";

    private const string MaskPrefix = "mask_head.mask_feature_head";

    private readonly OnnxGraphBuilder _g = new("condinst_body");
    private readonly WeightSet _w;
    private readonly CondInstArchitecture _arch;

    // Constants already made, by weight key: the box head runs the same weights on five levels.
    private readonly Dictionary<string, (ConvSpec Spec, string Weight, string? Bias)> _convs = new(StringComparer.Ordinal);

    private CondInstOnnx(WeightSet w, CondInstArchitecture arch)
    {
        _w = w;
        _arch = arch;
    }

    /// <summary>Output names in order: 4 per level (cls, bbox, centerness, params) for P3..P7, then the mask feature.</summary>
    public static IReadOnlyList<string> OutputNames { get; } =
        [.. Enumerable.Range(0, 5).SelectMany(l => new[] { $"cls_score_{l}", $"bbox_pred_{l}", $"centerness_{l}", $"param_pred_{l}" }), "mask_feat"];

    /// <summary>Builds the body graph for <paramref name="arch"/> from <paramref name="w"/> (opset 17).</summary>
    public static OnnxModel Build(WeightSet w, CondInstArchitecture arch)
    {
        var b = new CondInstOnnx(w, arch);
        string x = b._g.Input(InputName, OnnxType.Float, "N", 3, "H", "W");
        var p = b.Fpn(b.Backbone(x));
        for (int l = 0; l < 5; l++) b.Head(p[l], l);
        b.MaskBranch(p);
        return b._g.Build();
    }

    private string[] Backbone(string input)
    {
        string x = _g.Relu(Conv(input, "backbone.conv1.weight", null, "backbone.bn1", stride: 2, padding: 3));
        x = _g.MaxPool(x, 3, 2, 1);
        var outputs = new List<string>();
        for (int s = 0; s < 4; s++)
        {
            for (int b = 0; b < _arch.BlocksPerStage[s]; b++)
            {
                string p = $"backbone.layer{s + 1}.{b}";
                int stride = b == 0 && s > 0 ? 2 : 1;
                string identity = b == 0 ? Conv(x, p + ".downsample.0.weight", null, p + ".downsample.1", stride) : x;
                string a = _g.Relu(Conv(x, p + ".conv1.weight", null, p + ".bn1"));
                string m = _g.Relu(Conv(a, p + ".conv2.weight", null, p + ".bn2", stride));
                x = _g.Relu(_g.Add(Conv(m, p + ".conv3.weight", null, p + ".bn3"), identity));
            }
            if (s > 0) outputs.Add(x);
        }
        return [.. outputs];
    }

    private string[] Fpn(string[] c)
    {
        var lat = new string[3];
        for (int i = 0; i < 3; i++) lat[i] = Conv(c[i], $"neck.lateral_convs.{i}.conv.weight", $"neck.lateral_convs.{i}.conv.bias", null);
        for (int i = 2; i > 0; i--)
            lat[i - 1] = _g.Add(lat[i - 1], _g.UpsampleNearest(lat[i], _g.Shape(lat[i - 1])));
        var p = new string[5];
        for (int i = 0; i < 3; i++) p[i] = Conv(lat[i], $"neck.fpn_convs.{i}.conv.weight", $"neck.fpn_convs.{i}.conv.bias", null);
        p[3] = Conv(p[2], "neck.fpn_convs.3.conv.weight", "neck.fpn_convs.3.conv.bias", null, stride: 2);
        p[4] = Conv(_g.Relu(p[3]), "neck.fpn_convs.4.conv.weight", "neck.fpn_convs.4.conv.bias", null, stride: 2);
        return p;
    }

    private void Head(string p, int level)
    {
        string Tower(string tower)
        {
            string t = p, shape = "";
            for (int i = 0; i < _arch.HeadConvs; i++)
            {
                string y = Conv(t, $"bbox_head.{tower}.{i}.conv.weight", $"bbox_head.{tower}.{i}.conv.bias", null);
                if (i == 0) shape = _g.Shape(y); // [N, HeadChannels, H, W] for every convolution of the tower
                t = _g.GroupNorm(y, shape, _w.Get($"bbox_head.{tower}.{i}.gn.weight", _arch.HeadChannels), _w.Get($"bbox_head.{tower}.{i}.gn.bias", _arch.HeadChannels),
                    CondInstArchitecture.GroupNormGroups, CondInstArchitecture.NormEps, relu: true);
            }
            return t;
        }
        string cls = Tower("cls_convs");
        string reg = Tower("reg_convs");
        Conv(cls, "bbox_head.conv_cls.weight", "bbox_head.conv_cls.bias", null, output: $"cls_score_{level}");
        // FCOS box regression in eval: max(scale_l · raw, 0) · stride_l.
        string raw = Conv(reg, "bbox_head.conv_reg.weight", "bbox_head.conv_reg.bias", null);
        string scaled = _g.Relu(_g.Mul(raw, _g.Scalar(_w.Get($"bbox_head.scales.{level}.scale")[0])));
        _g.Mul(scaled, _g.Scalar(CondInstArchitecture.Strides[level]), $"bbox_pred_{level}");
        Conv(reg, "bbox_head.conv_centerness.weight", "bbox_head.conv_centerness.bias", null, output: $"centerness_{level}");
        Conv(reg, "bbox_head.controller.weight", "bbox_head.controller.bias", null, output: $"param_pred_{level}");
        int[] channels = [_arch.NumClasses, 4, 1, CondInstArchitecture.NumParams];
        string[] names = ["cls_score", "bbox_pred", "centerness", "param_pred"];
        for (int k = 0; k < 4; k++) _g.Output($"{names[k]}_{level}", OnnxType.Float, "N", channels[k], $"H{level}", $"W{level}");
    }

    private void MaskBranch(string[] p)
    {
        string sum = _g.Relu(Conv(p[0], $"{MaskPrefix}.convs_all_levels.0.conv0.conv.weight", null, $"{MaskPrefix}.convs_all_levels.0.conv0.bn"));
        // aligned_bilinear resizes to (f·h + 1, f·w + 1) = P3's size + 1 for both coarser levels.
        string sizes = _g.Add(_g.Shape(sum), _g.Constant([0L, 0, 1, 1], 4));
        for (int i = 1; i < 3; i++)
        {
            string f = _g.Relu(Conv(p[i], $"{MaskPrefix}.convs_all_levels.{i}.conv{i}.conv.weight", null, $"{MaskPrefix}.convs_all_levels.{i}.conv{i}.bn"));
            sum = _g.Add(sum, _g.AlignedBilinear(f, 1 << i, sizes));
        }
        string x = sum;
        for (int i = 0; i < _arch.MaskBranchConvs; i++)
            x = _g.Relu(Conv(x, $"{MaskPrefix}.conv_branch.{i}.conv.weight", null, $"{MaskPrefix}.conv_branch.{i}.bn"));
        Conv(x, $"{MaskPrefix}.conv_pred.weight", $"{MaskPrefix}.conv_pred.bias", null, output: "mask_feat");
        _g.Output("mask_feat", OnnxType.Float, "N", _arch.MaskFeatureChannels, "H0", "W0");
    }

    // One convolution node over the (shared) constants of weight key weightKey.
    private string Conv(string x, string weightKey, string? biasKey, string? bnPrefix, int stride = 1, int? padding = null, string? output = null)
    {
        if (!_convs.TryGetValue(weightKey, out var c)) _convs[weightKey] = c = FoldedConstants(weightKey, biasKey, bnPrefix, stride, padding);
        return _g.Conv(x, c.Spec, c.Weight, c.Bias, output);
    }

    /// <summary>
    /// A convolution's constants with its eval-mode BatchNorm folded in, as the engine folds it: s = γ / sqrt(var + eps)
    /// in double, weight' = weight · s per output channel, bias' = β − mean · s + bias · s; without BatchNorm, weight and
    /// bias as they are. Padding is k/2 unless given.
    /// </summary>
    private (ConvSpec, string, string?) FoldedConstants(string weightKey, string? biasKey, string? bnPrefix, int stride, int? padding)
    {
        var shape = _w.ShapeOf(weightKey);
        if (shape.Length != 4) throw new ArgumentException($"weight '{weightKey}' has shape {Tensor.Format(shape)}, expected a 4-d convolution weight");
        int outC = shape[0], k = shape[2];
        var spec = new ConvSpec(shape[1], outC, k, shape[3], stride, stride, padding ?? k / 2, padding ?? shape[3] / 2);
        var weight = _w.Get(weightKey, shape);
        var bias = biasKey is null ? null : _w.Get(biasKey, outC);
        if (bnPrefix is null)
        {
            var (wc, bc) = _g.ConvConstants(spec, weight, bias ?? []);
            return (spec, wc, bc);
        }
        var gamma = _w.Get(bnPrefix + ".weight", outC);
        var beta = _w.Get(bnPrefix + ".bias", outC);
        var mean = _w.Get(bnPrefix + ".running_mean", outC);
        var var = _w.Get(bnPrefix + ".running_var", outC);
        var folded = new float[weight.Length];
        var shift = new float[outC];
        int per = weight.Length / outC;
        for (int o = 0; o < outC; o++)
        {
            double s = gamma[o] / Math.Sqrt(var[o] + (double)CondInstArchitecture.NormEps);
            shift[o] = (float)(beta[o] - mean[o] * s + (bias is null ? 0 : bias[o] * s));
            for (int i = 0; i < per; i++) folded[o * per + i] = (float)(weight[o * per + i] * s);
        }
        var (fw, fb) = _g.ConvConstants(spec, folded, shift);
        return (spec, fw, fb);
    }
}
