using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Safetensors;
using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Model.Network;

/// <summary>Whole predictions against mmdetection's results: the fixture model, the shipped demo model, and an R-50-shaped model.</summary>
public sealed class EndToEndTests
{
    public static TheoryData<string> Backends => TestBackends.Networks;

    [Theory]
    [MemberData(nameof(Backends))]
    public void FixtureModelReproducesMmdetection(string backend) => TestBackends.With(backend, b =>
    {
        using var model = CondInstModel.Create(b, MiniFixture.Weights, MiniFixture.Settings);
        var (bgr, w, h) = MiniFixture.Image();
        var p = model.Predict(bgr, w, h, "input");
        Assert.Equal(MiniFixture.Geometry, p.Geometry);
        DetectionAssert.SameAsMmdetection(p, MiniFixture.Array("det_bboxes").ToFloats(), MiniFixture.Array("det_scores").ToFloats(),
            MiniFixture.Array("det_labels").ToInts(), MiniFixture.Array("det_masks").Data, $"[{backend}] fixture");
    });

    [Fact]
    public void R50ShapedModelRunsAtASmallInput()
    {
        // Every key and shape of the published R-50 (Fixtures/r50/state_dict_r50.txt), random values, through the
        // safetensors writer and the normal loader; output shapes and geometry are checked.
        string dir = Directory.CreateTempSubdirectory("r50").FullName;
        try
        {
            var arch = CondInstArchitecture.R50;
            var weights = WeightSet.Random(arch, seed: 5);
            string path = Path.Combine(dir, "r50.safetensors");
            SafetensorsWriter.Write(path, arch.ExpectedParameters().Select(pspec => pspec.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal)
                ? new CheckpointTensor(pspec.Name, TensorDType.Int64, [], new byte[8])
                : new CheckpointTensor(pspec.Name, TensorDType.Float32, pspec.Shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.Get(pspec.Name, pspec.Shape).AsSpan()).ToArray())), null);
            using var model = CondInstModel.Load(path, "cpu", new ModelOptions { TestScale = (160, 96), ScoreThreshold = 0.01f });
            Assert.Equal(arch.ExpectedParameters().Select(x => x.Name), model.Architecture.ExpectedParameters().Select(x => x.Name));
            var rng = new Random(3);
            var img = RandomData.Bytes(rng, 120 * 200 * 3);
            var p = model.Predict(img, 200, 120, "random");
            Assert.Equal(new ImageGeometry(120, 200, 96, 160, 96, 160, 0.8, 0.8), p.Geometry);
            // Random weights at score threshold 0.01 keep candidates: the loop below must check some instances.
            Assert.InRange(p.Instances.Count, 1, 100);
            foreach (var inst in p.Instances)
            {
                Assert.Equal((200, 120), (inst.Mask.ImageWidth, inst.Mask.ImageHeight));
                Assert.InRange(inst.Label, 0, 79);
                Assert.True(inst.X1 <= inst.X2 && inst.Y1 <= inst.Y2);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
