using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Harness;
using CondInst.Kernels.Tests.Model.Network;

namespace CondInst.Kernels.Tests.Ilgpu;

/// <summary>
/// One whole network on ILGPU's CPU simulator per test run, so that the ILGPU kernels are checked against
/// mmdetection end to end even where no OpenCL or CUDA device exists: the shipped demo model on its smallest
/// demo image (256x256, run at 320x320), which keeps the simulator's run short.
/// </summary>
public sealed class IlgpuNetworkTests
{
    private static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo");

    [Fact]
    public void DemoImageReproducesMmdetectionOnTheSimulator() => TestBackends.With("ilgpu-cpu", b =>
    {
        using var model = CondInstModel.Load(Path.Combine(Dir, "shapes.pth"), b);
        var p = model.Predict(Path.Combine(Dir, "demo_1.png"));
        NpyArray Fixture(string what) => NpyArray.Read(Path.Combine(Dir, $"demo_1_det_{what}.npy.gz"));
        Assert.NotEmpty(p.Instances);
        DetectionAssert.SameAsMmdetection(p, Fixture("bboxes").ToFloats(), Fixture("scores").ToFloats(), Fixture("labels").ToInts(),
            Fixture("masks").Data, "[ilgpu-cpu] demo_1");
    });
}
