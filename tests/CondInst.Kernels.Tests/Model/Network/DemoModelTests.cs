using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Model.Network;

/// <summary>The shipped default model (weights/shapes/shapes.pth) reproduces mmdetection's results on its three demo images.</summary>
public sealed class DemoModelTests
{
    private static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo");

    public static TheoryData<string> Backends => TestBackends.Networks;

    [Theory]
    [MemberData(nameof(Backends))]
    public void ReproducesMmdetectionOnTheDemoImages(string backend) => TestBackends.With(backend, b =>
    {
        using var model = CondInstModel.Load(Path.Combine(Dir, "shapes.pth"), b);
        // Test settings come from the checkpoint's own config text: scale (320, 320), test_cfg of the config.
        Assert.Equal((320, 320), (model.Settings.ScaleLong, model.Settings.ScaleShort));
        Assert.Equal(["circle", "square", "triangle"], model.ClassNames);
        for (int k = 1; k <= 3; k++)
        {
            var p = model.Predict(Path.Combine(Dir, $"demo_{k}.png"));
            NpyArray Fixture(string what) => NpyArray.Read(Path.Combine(Dir, $"demo_{k}_det_{what}.npy.gz"));
            DetectionAssert.SameAsMmdetection(p, Fixture("bboxes").ToFloats(), Fixture("scores").ToFloats(), Fixture("labels").ToInts(),
                Fixture("masks").Data, $"[{backend}] demo_{k}");
        }
    });
}
