using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Model;

/// <summary>
/// The free sizes of a CondInst R-50-FPN model, inferred from its weights so that the narrow test model and the
/// published R-50 load with the same code. Fixed by the architecture (docs/INFERENCE.md): Bottleneck ResNet with
/// expansion 4 and (3, 4, 6, 3) blocks, FPN from C3 with P6/P7 on the output, 5 levels with strides 8..128,
/// GroupNorm(32) head towers, a BatchNorm mask branch on P3-P5, and a 3-layer dynamic head of width 8.
/// </summary>
/// <param name="StemChannels">Output channels of the 7x7 stem (64 for the R-50).</param>
/// <param name="BlocksPerStage">Bottleneck blocks per stage (3, 4, 6, 3).</param>
/// <param name="FpnChannels">FPN output channels (256).</param>
/// <param name="HeadChannels">Box-head tower channels (256).</param>
/// <param name="HeadConvs">Convolutions per tower (4).</param>
/// <param name="NumClasses">Classes of the classifier (80 for COCO).</param>
/// <param name="MaskBranchChannels">Mask feature branch channels (128).</param>
/// <param name="MaskBranchConvs">Convolutions after the level sum (4).</param>
/// <param name="MaskFeatureChannels">Channels of the mask feature fed to the dynamic head (8).</param>
public sealed record CondInstArchitecture(
    int StemChannels,
    int[] BlocksPerStage,
    int FpnChannels,
    int HeadChannels,
    int HeadConvs,
    int NumClasses,
    int MaskBranchChannels,
    int MaskBranchConvs,
    int MaskFeatureChannels)
{
    /// <summary>Bottleneck expansion.</summary>
    public const int Expansion = 4;

    /// <summary>Dynamic parameters per instance (<see cref="Ilgpu.MaskHeadLayout"/>: 10·8 + 8·8 + 8·1 weights, 8 + 8 + 1 biases).</summary>
    public const int NumParams = Ilgpu.MaskHeadLayout.Params;

    /// <summary>FPN level strides P3..P7.</summary>
    public static readonly int[] Strides = [8, 16, 32, 64, 128];

    /// <summary>GroupNorm groups of the head towers.</summary>
    public const int GroupNormGroups = 32;

    /// <summary>Epsilon of every BatchNorm and GroupNorm.</summary>
    public const float NormEps = 1e-5f;

    /// <summary>The published R-50 CondInst (COCO, 80 classes).</summary>
    public static CondInstArchitecture R50 { get; } = new(64, [3, 4, 6, 3], 256, 256, 4, 80, 128, 4, 8);

    /// <summary>Bottleneck width (planes) of stage <paramref name="s"/>: stem channels · 2^s.</summary>
    public int Planes(int s) => StemChannels << s;

    /// <summary>Output channels of stage <paramref name="s"/> (C2..C5).</summary>
    public int StageChannels(int s) => Planes(s) * Expansion;

    /// <summary>Infers the sizes from a state dict's shapes (key → dimensions); throws naming the key it needed.</summary>
    public static CondInstArchitecture InferFrom(IReadOnlyDictionary<string, int[]> shapes)
    {
        int[] Need(string key, int rank)
        {
            if (!shapes.TryGetValue(key, out var s))
                throw new ImporterException($"cannot infer the CondInst architecture: the weights lack '{key}'");
            if (s.Length != rank)
                throw new ImporterException($"cannot infer the CondInst architecture: '{key}' has shape {Tensor.Format(s)}, expected rank {rank}");
            return s;
        }
        int stem = Need("backbone.conv1.weight", 4)[0];
        var blocks = new int[4];
        for (int s = 0; s < 4; s++)
            while (shapes.ContainsKey($"backbone.layer{s + 1}.{blocks[s]}.conv1.weight")) blocks[s]++;
        int fpn = Need("neck.lateral_convs.0.conv.weight", 4)[0];
        int head = Need("bbox_head.cls_convs.0.conv.weight", 4)[0];
        int headConvs = 0;
        while (shapes.ContainsKey($"bbox_head.cls_convs.{headConvs}.conv.weight")) headConvs++;
        int classes = Need("bbox_head.conv_cls.weight", 4)[0];
        int maskCh = Need("mask_head.mask_feature_head.convs_all_levels.0.conv0.conv.weight", 4)[0];
        int maskConvs = 0;
        while (shapes.ContainsKey($"mask_head.mask_feature_head.conv_branch.{maskConvs}.conv.weight")) maskConvs++;
        int maskOut = Need("mask_head.mask_feature_head.conv_pred.weight", 4)[0];
        int param = Need("bbox_head.controller.weight", 4)[0];
        foreach (var (key, n) in new[] { ("backbone.conv1.weight", stem), ("neck.lateral_convs.0.conv.weight", fpn), ("bbox_head.cls_convs.0.conv.weight", head),
            ("bbox_head.conv_cls.weight", classes), ("mask_head.mask_feature_head.convs_all_levels.0.conv0.conv.weight", maskCh) })
        {
            if (n < 1)
                throw new ImporterException($"'{key}' has 0 output channels{(key == "bbox_head.conv_cls.weight" ? " (a model without classes)" : "")}; expected at least 1");
        }
        if (param != NumParams)
            throw new ImporterException($"bbox_head.controller.weight has {param} outputs; this engine's dynamic mask head needs {NumParams} (10->8->8->1)");
        if (maskOut != Ilgpu.MaskHeadLayout.FeatureChannels)
            throw new ImporterException($"mask_head.mask_feature_head.conv_pred.weight has {maskOut} outputs; the dynamic mask head needs {Ilgpu.MaskHeadLayout.FeatureChannels} feature channels");
        return new CondInstArchitecture(stem, blocks, fpn, head, headConvs, classes, maskCh, maskConvs, maskOut);
    }

    /// <summary>
    /// Every state-dict entry the model has, in mmdetection's order, with its shape; BatchNorm
    /// <c>num_batches_tracked</c> buffers are included as scalars (the importer ignores them when binding).
    /// </summary>
    public IEnumerable<ParameterSpec> ExpectedParameters()
    {
        var list = new List<ParameterSpec>();
        void P(string name, params int[] shape) => list.Add(new ParameterSpec(name, shape));
        void Bn(string prefix, int c)
        {
            P(prefix + ".weight", c);
            P(prefix + ".bias", c);
            P(prefix + ".running_mean", c);
            P(prefix + ".running_var", c);
            P(prefix + ".num_batches_tracked");
        }
        P("backbone.conv1.weight", StemChannels, 3, 7, 7);
        Bn("backbone.bn1", StemChannels);
        int inCh = StemChannels;
        for (int s = 0; s < 4; s++)
        {
            int planes = Planes(s), outCh = StageChannels(s);
            for (int b = 0; b < BlocksPerStage[s]; b++)
            {
                string pre = $"backbone.layer{s + 1}.{b}";
                int blockIn = b == 0 ? inCh : outCh;
                P(pre + ".conv1.weight", planes, blockIn, 1, 1);
                Bn(pre + ".bn1", planes);
                P(pre + ".conv2.weight", planes, planes, 3, 3);
                Bn(pre + ".bn2", planes);
                P(pre + ".conv3.weight", outCh, planes, 1, 1);
                Bn(pre + ".bn3", outCh);
                if (b == 0)
                {
                    P(pre + ".downsample.0.weight", outCh, blockIn, 1, 1);
                    Bn(pre + ".downsample.1", outCh);
                }
            }
            inCh = outCh;
        }
        for (int i = 0; i < 3; i++)
        {
            P($"neck.lateral_convs.{i}.conv.weight", FpnChannels, StageChannels(i + 1), 1, 1);
            P($"neck.lateral_convs.{i}.conv.bias", FpnChannels);
        }
        for (int i = 0; i < 5; i++)
        {
            P($"neck.fpn_convs.{i}.conv.weight", FpnChannels, FpnChannels, 3, 3);
            P($"neck.fpn_convs.{i}.conv.bias", FpnChannels);
        }
        foreach (string tower in new[] { "cls_convs", "reg_convs" })
            for (int i = 0; i < HeadConvs; i++)
            {
                P($"bbox_head.{tower}.{i}.conv.weight", HeadChannels, i == 0 ? FpnChannels : HeadChannels, 3, 3);
                P($"bbox_head.{tower}.{i}.conv.bias", HeadChannels);
                P($"bbox_head.{tower}.{i}.gn.weight", HeadChannels);
                P($"bbox_head.{tower}.{i}.gn.bias", HeadChannels);
            }
        P("bbox_head.conv_cls.weight", NumClasses, HeadChannels, 3, 3);
        P("bbox_head.conv_cls.bias", NumClasses);
        P("bbox_head.conv_reg.weight", 4, HeadChannels, 3, 3);
        P("bbox_head.conv_reg.bias", 4);
        P("bbox_head.conv_centerness.weight", 1, HeadChannels, 3, 3);
        P("bbox_head.conv_centerness.bias", 1);
        for (int i = 0; i < 5; i++) P($"bbox_head.scales.{i}.scale");
        P("bbox_head.controller.weight", NumParams, HeadChannels, 3, 3);
        P("bbox_head.controller.bias", NumParams);
        const string mf = "mask_head.mask_feature_head";
        for (int i = 0; i < 3; i++)
        {
            P($"{mf}.convs_all_levels.{i}.conv{i}.conv.weight", MaskBranchChannels, FpnChannels, 3, 3);
            Bn($"{mf}.convs_all_levels.{i}.conv{i}.bn", MaskBranchChannels);
        }
        for (int i = 0; i < MaskBranchConvs; i++)
        {
            P($"{mf}.conv_branch.{i}.conv.weight", MaskBranchChannels, MaskBranchChannels, 3, 3);
            Bn($"{mf}.conv_branch.{i}.bn", MaskBranchChannels);
        }
        P($"{mf}.conv_pred.weight", MaskFeatureChannels, MaskBranchChannels, 1, 1);
        P($"{mf}.conv_pred.bias", MaskFeatureChannels);
        return list;
    }

    /// <summary>Learnable parameter count (BatchNorm running statistics and counters excluded).</summary>
    public long ParameterCount() => ExpectedParameters()
        .Where(p => !p.Name.EndsWith(".running_mean", StringComparison.Ordinal) && !p.Name.EndsWith(".running_var", StringComparison.Ordinal)
                    && !p.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
        .Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));
}
