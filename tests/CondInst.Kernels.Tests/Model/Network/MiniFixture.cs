using CondInst.Kernels.Importer;
using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Model.Network;

/// <summary>The mmdetection fixture run (fixtures/mini): its tensors by manifest name, its weights and settings.</summary>
public static class MiniFixture
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini");

    public static string Checkpoint => Path.Combine(Dir, "mini.pth");

    /// <summary>img_meta of the fixture (manifest.json).</summary>
    public static readonly ImageGeometry Geometry = new(300, 451, 280, 421, 288, 448, 421.0 / 451, 280.0 / 300);

    public static readonly TestSettings Settings = new(448, 280, 0.05f, 1000, 0.6f, 100, 0.5f, "fixture manifest");

    private static readonly Lazy<WeightSet> LazyWeights = new(() => CheckpointLoader.Load(Checkpoint).Weights);

    public static WeightSet Weights => LazyWeights.Value;

    public static NpyArray Array(string name) => NpyArray.Read(Path.Combine(Dir, name + ".npy.gz"));

    public static Tensor Upload(IBackend b, string name)
    {
        var a = Array(name);
        return b.Upload<float>(a.ToFloats(), a.Shape);
    }

    /// <summary>The fixture image as HWC BGR bytes (PNG decoding is lossless, so any decoder gives Pillow's bytes).</summary>
    public static (byte[] Bgr, int Width, int Height) Image()
    {
        using var img = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(Path.Combine(Dir, "input.png"));
        var bgr = new byte[img.Width * img.Height * 3];
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
            {
                var p = img[x, y];
                int o = (y * img.Width + x) * 3;
                (bgr[o], bgr[o + 1], bgr[o + 2]) = (p.B, p.G, p.R);
            }
        return (bgr, img.Width, img.Height);
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> equals the fixture tensor <paramref name="name"/> in shape and, for floats,
    /// within <paramref name="tolOfMax"/> times the fixture's largest magnitude (integers and bools exactly).
    /// </summary>
    public static void AssertClose(string name, NpyArray actual, double tolOfMax, string backend)
    {
        var expected = Array(name);
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"[{backend}] {name}: shape {Tensor.Format(actual.Shape)}, fixture {Tensor.Format(expected.Shape)}");
        bool isFloat = expected.Type is NpyType.Float32 or NpyType.Float64;
        var e = expected.ToFloats();
        var a = actual.ToFloats();
        double max = e.Length == 0 ? 0 : e.Max(v => Math.Abs((double)v));
        double tol = isFloat ? tolOfMax * max : 0;
        var problem = OpHarness.Compare(new OpHarness.Output(DType.Float32, expected.Shape, e.Select(v => (double)v).ToArray()),
            new OpHarness.Output(DType.Float32, actual.Shape, a.Select(v => (double)v).ToArray()), new Tolerance(0, isFloat ? tolOfMax : 0));
        Assert.True(problem is null, $"[{backend}] {name} (tolerance {tol:g3} = {tolOfMax:g2}·max|fixture|): {problem}");
    }
}

/// <summary>Keeps every reported stage as a host array, and the stage ends in order.</summary>
public sealed class RecordingSink(IBackend backend) : IStageObserver
{
    public List<string> StagesDone { get; } = [];

    public Dictionary<string, NpyArray> Stages { get; } = new();

    public void Tensor(string name, Tensor tensor)
    {
        var data = new float[tensor.Length];
        backend.Download<float>(tensor, data);
        Stages[name] = NpyArray.FromFloats(data, tensor.Shape.ToArray());
    }

    public void Array(string name, Func<NpyArray> make) => Stages[name] = make();

    public void StageDone(string stage) => StagesDone.Add(stage);
}
