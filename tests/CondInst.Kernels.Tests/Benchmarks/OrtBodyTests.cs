using CondInst.Kernels.Benchmarks.Onnx;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Harness;
using CondInst.Kernels.Tests.Reference;

namespace CondInst.Kernels.Tests.Benchmarks;

/// <summary>
/// The ONNX Runtime peer body against the engine's own body, both on the scalar reference backend, on a narrow
/// CondInst with every structural feature of the R-50 (multi-block stages, downsample, P6/P7, GroupNorm towers,
/// the shared head on five levels, aligned_bilinear by 2 and 4).
/// </summary>
public sealed class OrtBodyTests
{
    internal static readonly CondInstArchitecture Narrow = new(8, [2, 1, 2, 1], 32, 64, 2, 5, 16, 2, 8);

    /// <summary>
    /// A small test scale, and nms_pre below the smallest level's candidate count: the model's BoxSelector sizes its
    /// top-k buffers by min(nms_pre, points·classes) but asks for nms_pre, which the op checks refuse on tiny images.
    /// </summary>
    internal static readonly TestSettings SmallSettings = TestSettings.R50Defaults with { ScaleLong = 128, ScaleShort = 96, NmsPre = 200, Source = "test scale" };

    [Theory]
    [InlineData(1, 96, 128)]
    [InlineData(2, 96, 64)]
    public void OrtBodyComputesTheEngineBodyOnEveryOutput(int batch, int h, int w)
    {
        var weights = WeightSet.Random(Narrow, 3);
        using var r = new ReferenceBackend();
        var rng = new Random(5);
        using var x = r.Upload<float>(RandomData.Floats(rng, batch * 3 * h * w, -2f, 2f), batch, 3, h, w);
        using var engine = new CondInstNetwork(r, weights, Narrow);
        using var ort = new OrtBody(r, weights, Narrow, threads: 2);
        using var expected = engine.Forward(x, StageObserver.None);
        using var actual = ort.Forward(x, StageObserver.None);
        string[] kinds = ["cls_score", "bbox_pred", "centerness", "param_pred"];
        for (int l = 0; l < 5; l++)
        {
            Tensor[] e = [expected.Levels[l].ClsScore, expected.Levels[l].BboxPred, expected.Levels[l].Centerness, expected.Levels[l].ParamPred];
            Tensor[] a = [actual.Levels[l].ClsScore, actual.Levels[l].BboxPred, actual.Levels[l].Centerness, actual.Levels[l].ParamPred];
            for (int k = 0; k < 4; k++) AssertClose(r, e[k], a[k], $"{kinds[k]} level {l}");
        }
        AssertClose(r, expected.MaskFeature, actual.MaskFeature, "mask_feat");
    }

    [Fact]
    public void OrtBodyInsideTheModelGivesTheEngineDetections()
    {
        var weights = WeightSet.Random(Narrow, 11);
        var settings = SmallSettings;
        var (bgr, width, height) = (CondInst.Kernels.Model.Benchmarking.BenchImage.Synthetic(160, 120), 160, 120);
        using var r = new ReferenceBackend();
        using var engine = CondInstModel.Create(r, weights, settings);
        using var peer = CondInstModel.Create(r, weights, settings, (b, w, arch) => new OrtBody(b, w, arch, threads: 2));
        var e = engine.Predict(bgr, width, height);
        var clock = new StageClock(peer.Backend);
        var a = peer.Predict(bgr, width, height, observer: clock);
        Assert.Contains(clock.Laps, t => t.Stage == "body");
        Assert.DoesNotContain(clock.Laps, t => t.Stage == "backbone");
        Assert.True(e.Instances.Count > 0, "the random model should detect something for this test to mean anything");
        Assert.Equal(e.Instances.Count, a.Instances.Count);
        for (int i = 0; i < e.Instances.Count; i++)
        {
            var (p, q) = (e.Instances[i], a.Instances[i]);
            Assert.Equal(p.Label, q.Label);
            Assert.True(Math.Abs(p.Score - q.Score) <= 1e-4, $"instance {i}: score {q.Score} vs engine {p.Score}");
            Assert.True(Math.Abs(p.X1 - q.X1) + Math.Abs(p.Y1 - q.Y1) + Math.Abs(p.X2 - q.X2) + Math.Abs(p.Y2 - q.Y2) <= 0.05, $"instance {i}: box differs");
            var (pm, qm) = (p.ToFullMask(), q.ToFullMask());
            int differing = pm.Zip(qm).Count(m => m.First != m.Second);
            Assert.True(differing <= pm.Length / 1000, $"instance {i}: {differing} mask pixels differ");
        }
    }

    // Float32 accumulation in ONNX Runtime against double accumulation in the reference: relative to the output's scale.
    private static void AssertClose(IBackend b, Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.SameShape(actual), $"{what}: ONNX Runtime shape {actual}, engine {expected}");
        var e = new float[expected.Length];
        var a = new float[actual.Length];
        b.Download<float>(expected, e);
        b.Download<float>(actual, a);
        double scale = e.Max(v => Math.Abs((double)v));
        Assert.True(scale > 0, $"{what}: all zeros, the comparison would be empty");
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 * scale, $"{what}[{i}]: ONNX Runtime {a[i]}, engine {e[i]} (scale {scale:g3})");
    }
}
