using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Model.Network;
using static CondInst.Kernels.Tests.Model.Network.MiniFixture;

namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// Each convolution algorithm of the cpu backend forced on every convolution it applies to (the shape-based choice
/// would give the small fixture networks mostly F(2x2) and the GEMM), against mmdetection's own outputs at the
/// tolerances of <see cref="FixtureStageTests"/> and <see cref="DemoModelTests"/>: the mini fixture's
/// convolutional stages to 1e-4 of each tensor's largest magnitude, the trained demo model's detections and masks.
/// </summary>
public sealed class ConvAlgorithmNetworkTests
{
    private const double FeatureTol = 1e-4;

    // Names, since the enum is internal to the engine and theory data must be public.
    public static TheoryData<string> Algorithms => new(nameof(ConvAlgorithm.Gemm), nameof(ConvAlgorithm.Winograd2), nameof(ConvAlgorithm.Winograd4));

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void MiniFixtureStagesMatch(string algorithm)
    {
        using var b = new CpuBackend { ConvAlgorithm = Enum.Parse<ConvAlgorithm>(algorithm) };
        string name = $"cpu {algorithm}";
        var arch = CondInstArchitecture.InferFrom(Weights.Shapes);
        using (var net = new ResNetBackbone(b, Weights, arch))
        using (var input = Upload(b, "input"))
        {
            var sink = new RecordingSink(b);
            foreach (var t in net.Forward(input, sink)) t.Dispose();
            foreach (var stage in new[] { "backbone_c2", "backbone_c3", "backbone_c4", "backbone_c5" })
                AssertClose(stage, sink.Stages[stage], FeatureTol, name);
        }
        using (var fpn = new Fpn(b, Weights))
        {
            var c = new[] { "backbone_c3", "backbone_c4", "backbone_c5" }.Select(n => Upload(b, n)).ToArray();
            var sink = new RecordingSink(b);
            foreach (var t in fpn.Forward(c, sink)) t.Dispose();
            foreach (var t in c) t.Dispose();
            for (int l = 3; l <= 7; l++) AssertClose($"fpn_p{l}", sink.Stages[$"fpn_p{l}"], FeatureTol, name);
        }
        using (var head = new BoxHead(b, Weights, arch))
        {
            var sink = new RecordingSink(b);
            for (int l = 0; l < 5; l++)
            {
                using var p = Upload(b, $"fpn_p{l + 3}");
                head.Forward(p, l, sink).Dispose();
                foreach (var kind in new[] { "cls_score", "bbox_pred", "centerness", "param_pred" })
                    AssertClose($"head_{kind}_l{l}", sink.Stages[$"head_{kind}_l{l}"], FeatureTol, name);
            }
        }
        using (var branch = new MaskBranch(b, Weights, arch))
        {
            var p = new[] { "fpn_p3", "fpn_p4", "fpn_p5" }.Select(n => Upload(b, n)).ToArray();
            var sink = new RecordingSink(b);
            branch.Forward(p, sink).Dispose();
            foreach (var t in p) t.Dispose();
            AssertClose("mask_feat", sink.Stages["mask_feat"], FeatureTol, name);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void DemoModelMatchesMmdetection(string algorithm)
    {
        using var b = new CpuBackend { ConvAlgorithm = Enum.Parse<ConvAlgorithm>(algorithm) };
        string dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo");
        using var model = CondInstModel.Load(Path.Combine(dir, "shapes.pth"), b);
        for (int k = 1; k <= 3; k++)
        {
            var p = model.Predict(Path.Combine(dir, $"demo_{k}.png"));
            NpyArray Fixture(string what) => NpyArray.Read(Path.Combine(dir, $"demo_{k}_det_{what}.npy.gz"));
            DetectionAssert.SameAsMmdetection(p, Fixture("bboxes").ToFloats(), Fixture("scores").ToFloats(), Fixture("labels").ToInts(),
                Fixture("masks").Data, $"[cpu {algorithm}] demo_{k}");
        }
    }
}
