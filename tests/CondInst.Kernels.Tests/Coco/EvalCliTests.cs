using System.Text.Json;
using CondInst.Kernels.Cli;
using CondInst.Kernels.Coco;
using CondInst.Kernels.Tests.Importer;

namespace CondInst.Kernels.Tests.Coco;

/// <summary><c>condinst eval</c> and <c>infer --ann</c>: pycocotools' numbers through the CLI, integer image ids by file name.</summary>
public sealed class EvalCliTests
{
    private static string Demo(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo", name);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The three demo images under ids that are not their stems, in a folder of their own.</summary>
    private static (string Ann, string Images) DemoSet(TempDir dir)
    {
        string images = dir.File("images");
        Directory.CreateDirectory(images);
        var entries = new List<object>();
        foreach (var (name, id) in new[] { ("demo_1.png", 11), ("demo_2.png", 202), ("demo_3.png", 3003) })
        {
            File.Copy(Demo(name), Path.Combine(images, name));
            using var img = SixLabors.ImageSharp.Image.Load(Demo(name));
            entries.Add(new { id, file_name = name, width = img.Width, height = img.Height });
        }
        string ann = dir.File("ann.json");
        File.WriteAllText(ann, JsonSerializer.Serialize(new
        {
            images = entries,
            categories = new[] { new { id = 1, name = "circle" }, new { id = 2, name = "square" }, new { id = 3, name = "triangle" } },
            annotations = Array.Empty<object>(),
        }));
        return (ann, images);
    }

    [Fact]
    public void ScoresAResultsFileAsPycocotools()
    {
        using var dir = new TempDir();
        string json = dir.File("eval.json");
        var (code, output, err) = Run("eval", "--ann", CocoData.File("random/gt.json"), "--results", CocoData.File("random/results.json"), "--json", json);
        Assert.True(code == 0, err);
        var expected = CocoData.Expected.GetProperty("random/results.json");
        foreach (var kind in new[] { "bbox", "segm" })
        {
            foreach (var line in expected.GetProperty(kind).GetProperty("summary").EnumerateArray()) Assert.Contains(line.GetString()!, output);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var ours = doc.RootElement.GetProperty(kind).GetProperty("stats").Doubles();
            var theirs = expected.GetProperty(kind).GetProperty("stats").Doubles();
            for (int i = 0; i < 12; i++) Assert.Equal(theirs[i], ours[i], 1e-4);
        }
        Assert.Contains("class_4", output); // the per-class table
    }

    [Fact]
    public void InferWithAnnWritesTheAnnotationFilesIntegerIds()
    {
        using var dir = new TempDir();
        var (ann, images) = DemoSet(dir);
        string outDir = dir.File("out");
        var (code, _, err) = Run("infer", "--weights", Demo("shapes.pth"), "--images", images, "--out", outDir, "--device", "cpu", "--ann", ann);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var ids = new Dictionary<string, long> { ["demo_1.png"] = 11, ["demo_2.png"] = 202, ["demo_3.png"] = 3003 };
        var entries = doc.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(entries);
        foreach (var e in entries)
        {
            Assert.Equal(JsonValueKind.Number, e.GetProperty("image_id").ValueKind);
            Assert.Equal(ids[e.GetProperty("file_name").GetString()!], e.GetProperty("image_id").GetInt64());
        }
        Assert.Equal(3, entries.Select(e => e.GetProperty("image_id").GetInt64()).Distinct().Count());
        // And it scores as it is (pycocotools' loadRes accepts the same file: checked offline on the shapes set).
        var dataset = CocoDataset.Load(ann);
        Assert.Equal(entries.Count, CocoResults.Load(Path.Combine(outDir, "results.json"), dataset).Count);
    }

    [Fact]
    public void EvalRunsTheModelOverTheAnnotationFilesImages()
    {
        using var dir = new TempDir();
        var (ann, images) = DemoSet(dir);
        string json = dir.File("eval.json");
        var (code, output, err) = Run("eval", "--weights", Demo("shapes.pth"), "--ann", ann, "--images", images, "--out", dir.File("out"), "--device", "cpu", "--json", json);
        Assert.True(code == 0, err);
        Assert.Contains("instance(s) in 3 image(s)", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        // No ground truth at all: every number is undefined, as pycocotools says (-1).
        Assert.All(doc.RootElement.GetProperty("segm").GetProperty("stats").Doubles(), v => Assert.Equal(-1, v));
    }

    [Fact]
    public void InferWithAnnMissingTheImageFailsBeforeAnyWork()
    {
        using var dir = new TempDir();
        var (ann, _) = DemoSet(dir);
        string outDir = dir.File("out");
        var (code, _, err) = Run("infer", "--weights", Demo("shapes.pth"), "--image", Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "input.png"), "--out", outDir, "--ann", ann);
        Assert.Equal(1, code);
        Assert.Equal($"error: --ann: 'input.png' is not the file_name of an image of {ann}", err.Trim());
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void EvalNeedsResultsOrAModelRun()
    {
        var (code, _, err) = Run("eval", "--ann", CocoData.File("crowd/gt.json"));
        Assert.Equal(2, code);
        Assert.Contains("give either --results FILE, or --weights W --images DIR --out DIR", err);
        (code, _, err) = Run("eval", "--ann", CocoData.File("crowd/gt.json"), "--results", CocoData.File("crowd/results.json"), "--iou-type", "keypoints");
        Assert.Equal(1, code);
        Assert.Equal("error: --iou-type: expected bbox, segm or bbox,segm, found 'keypoints'", err.Trim());
    }
}
