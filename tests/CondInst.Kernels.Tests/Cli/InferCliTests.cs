using System.Text.Json;
using CondInst.Kernels.Cli;
using CondInst.Kernels.Tests.Importer;

namespace CondInst.Kernels.Tests.Cli;

/// <summary><c>condinst infer</c>: its outputs on the fixture image, and a clear one-line failure with no partial output for bad input.</summary>
public sealed class InferCliTests
{
    private static string Input => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "input.png");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void WritesResultsOverlayAndDumpsForTheFixtureImage()
    {
        using var dir = new TempDir();
        string outDir = dir.File("out");
        var (code, output, err) = Run("infer", "--weights", ImporterFiles.Mini, "--image", Input, "--out", outDir, "--device", "cpu", "--dump");
        Assert.True(code == 0, err);
        Assert.Contains("24 instance(s) in 1 image(s)", output);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(24, entries.Count);
        var labels = MiniArray("det_labels").ToInts();
        var boxes = MiniArray("det_bboxes").ToFloats();
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            Assert.Equal("input", e.GetProperty("image_id").GetString());
            Assert.Equal("input.png", e.GetProperty("file_name").GetString());
            Assert.Equal(labels[i], e.GetProperty("label").GetInt32());
            // 80-class model: COCO category ids (person = 1, ..., with gaps), not label + 1 beyond the first gap.
            Assert.Equal(CondInst.Kernels.Model.CocoCategories.Ids[labels[i]], e.GetProperty("category_id").GetInt32());
            var bbox = e.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(boxes[4 * i], bbox[0], 0.5);
            Assert.Equal(boxes[4 * i + 2] - boxes[4 * i], bbox[2], 0.5);
            Assert.Equal(new[] { 300, 451 }, e.GetProperty("segmentation").GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
        }

        using (var overlay = SixLabors.ImageSharp.Image.Load(Path.Combine(outDir, "input.png")))
            Assert.Equal((451, 300), (overlay.Width, overlay.Height));
        string dump = Path.Combine(outDir, "dump", "input");
        foreach (var name in new[] { "input", "fpn_p3", "head_cls_score_l0", "mask_feat", "det_bboxes", "det_scores", "det_labels", "det_masks" })
        {
            var mine = NpyArray.Read(Path.Combine(dump, name + ".npy"));
            Assert.Equal(MiniArray(name).Shape, mine.Shape);
            Assert.Equal(MiniArray(name).Type, mine.Type);
        }
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void AFolderGetsOneResultsFileAndAProgressBar()
    {
        using var dir = new TempDir();
        string images = dir.File("images");
        Directory.CreateDirectory(images);
        File.Copy(Input, Path.Combine(images, "a.png"));
        File.Copy(Input, Path.Combine(images, "b.png"));
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image, skipped by extension");
        string outDir = dir.File("out");
        var (code, _, err) = Run("infer", "--weights", ImporterFiles.Mini, "--images", images, "--out", outDir, "--device", "cpu");
        Assert.True(code == 0, err);
        Assert.Contains("2/2", err);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        Assert.Equal(48, json.RootElement.GetArrayLength());
        Assert.True(File.Exists(Path.Combine(outDir, "a.png")) && File.Exists(Path.Combine(outDir, "b.png")));
    }

    public static TheoryData<string, string> BadInputs => new()
    {
        { "missing-image", "does not exist" },
        { "not-an-image", "not-an-image.png" },
        { "truncated-png", "truncated.png" },
        { "corrupt-checkpoint", "broken.pth" },
        { "missing-checkpoint", "nothing.pth" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputGivesOneClearLineAndNoOutput(string kind, string expectedInMessage)
    {
        using var dir = new TempDir();
        string image = Input, weights = ImporterFiles.Mini;
        switch (kind)
        {
            case "missing-image":
                image = dir.File("missing.png");
                break;
            case "not-an-image":
                image = dir.File("not-an-image.png");
                File.WriteAllText(image, "hello, this is text");
                break;
            case "truncated-png":
                image = dir.File("truncated.png");
                var png = File.ReadAllBytes(Input);
                File.WriteAllBytes(image, png[..(png.Length / 2)]);
                break;
            case "corrupt-checkpoint":
                weights = dir.File("broken.pth");
                var pth = File.ReadAllBytes(ImporterFiles.Mini);
                File.WriteAllBytes(weights, pth[..(pth.Length / 3)]);
                break;
            case "missing-checkpoint":
                weights = dir.File("nothing.pth");
                break;
        }
        string outDir = dir.File("out");
        var (code, output, err) = Run("infer", "--weights", weights, "--image", image, "--out", outDir, "--device", "cpu");
        Assert.NotEqual(0, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expectedInMessage, lines[0]);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(Path.Combine(outDir, "results.json")));
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData(new[] { "infer", "--image", "x.png", "--out", "o" }, "--weights")]
    [InlineData(new[] { "infer", "--weights", "w.pth", "--image", "x.png", "--images", "d", "--out", "o" }, "exactly one of --image")]
    [InlineData(new[] { "infer", "--weights", "w.pth", "--image", "x.png", "--out", "o", "--score-thr", "abc" }, "abc")]
    [InlineData(new[] { "infer", "--weights", "w.pth", "--out", "o", "--images", "/nonexistent-folder" }, "does not exist")]
    public void BadArgumentsGiveOneLine(string[] args, string expected)
    {
        var (code, _, err) = Run(args);
        Assert.NotEqual(0, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(expected, lines[0]);
    }

    private static NpyArray MiniArray(string name) => NpyArray.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", name + ".npy.gz"));
}
