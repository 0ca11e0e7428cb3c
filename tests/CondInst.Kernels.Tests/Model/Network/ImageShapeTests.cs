using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Harness;
using CondInst.Kernels.Tests.Importer;

namespace CondInst.Kernels.Tests.Model.Network;

/// <summary>
/// Tiny, elongated and large images through the shipped model (scale 320x320, nms_pre 1000, 3 classes). A 1000x200
/// image resizes to 320x64, whose finest level has 40·8 points · 3 classes = 960 candidates, fewer than nms_pre:
/// mmdetection keeps min(nms_pre, candidates), so the result must equal a run with an unbounded nms_pre.
/// </summary>
public sealed class ImageShapeTests
{
    public static TheoryData<string, int, int> Shapes => new()
    {
        { "cpu", 1, 1 }, { "cpu", 2, 2 }, { "cpu", 1000, 200 }, { "cpu", 640, 128 }, { "cpu", 200, 1000 },
        { "cpu", 5000, 2 }, { "cpu", 2, 5000 }, { "cpu", 4000, 3000 },
        // The same on the ILGPU kernels where a device runs whole networks (ILGPU's CPU simulator takes about ten
        // minutes for one 320x32 input on this project's machine, so it is left out, as in DemoModelTests).
        { "opencl", 1000, 200 }, { "opencl", 5000, 2 }, { "opencl", 2, 2 },
        { "cuda", 1000, 200 }, { "cuda", 5000, 2 }, { "cuda", 2, 2 },
    };

    // A grey image with a filled dark square in the middle third and a bright bar: something for the model to find.
    private static byte[] Scene(int w, int h)
    {
        var bgr = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                bool square = x >= w / 3 && x < 2 * w / 3 && y >= h / 3 && y < 2 * h / 3;
                bool bar = y >= h / 8 && y < h / 4 + 1;
                byte v = square ? (byte)30 : bar ? (byte)230 : (byte)128;
                bgr[3 * (y * w + x)] = v;
                bgr[3 * (y * w + x) + 1] = square ? (byte)40 : v;
                bgr[3 * (y * w + x) + 2] = v;
            }
        }
        return bgr;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryShapeRunsAndKeepsAllCandidatesWhenFewerThanNmsPre(string backend, int w, int h) => TestBackends.With(backend, b =>
    {
        var bgr = Scene(w, h);
        using var model = CondInstModel.Load(ImporterFiles.Shapes, b);
        using var unbounded = CondInstModel.Load(ImporterFiles.Shapes, b, new ModelOptions { NmsPre = 1_000_000 });
        var p = model.Predict(bgr, w, h, "scene");
        var q = unbounded.Predict(bgr, w, h, "scene");
        Assert.Equal((w, h), (p.Width, p.Height));
        long finest = (long)p.Geometry.PaddedWidth / 8 * (p.Geometry.PaddedHeight / 8) * model.Architecture.NumClasses;
        if (finest <= 1000)
        {
            // Every level has at most nms_pre candidates: both runs keep them all and must agree exactly.
            Assert.Equal(q.Instances.Count, p.Instances.Count);
            for (int i = 0; i < p.Instances.Count; i++)
            {
                var (a, e) = (p.Instances[i], q.Instances[i]);
                Assert.Equal((e.X1, e.Y1, e.X2, e.Y2, e.Score, e.Label), (a.X1, a.Y1, a.X2, a.Y2, a.Score, a.Label));
                Assert.Equal(e.ToFullMask(), a.ToFullMask());
            }
        }
        foreach (var d in p.Instances)
        {
            Assert.Equal(w * h, d.ToFullMask().Length);
            Assert.InRange(d.Score, 0f, 1f);
            Assert.True(d.X1 <= d.X2 && d.Y1 <= d.Y2, $"box [{d.X1}, {d.Y1}, {d.X2}, {d.Y2}]");
        }
    });
}
