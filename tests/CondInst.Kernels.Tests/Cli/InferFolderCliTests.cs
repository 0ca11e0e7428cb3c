using System.Text.Json;
using CondInst.Kernels.Cli;
using CondInst.Kernels.Coco;
using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Importer;

namespace CondInst.Kernels.Tests.Cli;

/// <summary>
/// <c>condinst infer --images</c> over a real folder: bad files named and skipped while the good ones are written,
/// the exit codes of <see cref="ExitCodes"/>, --fail-fast, --quiet, --no-overlay, --classes, --mask-thr, --nms-iou.
/// The mini fixture model finds 24 instances in its input image (mmdetection's own count, InferCliTests).
/// </summary>
public sealed class InferFolderCliTests
{
    private static string Input => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "input.png");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string[] Infer(string images, string outDir, params string[] more) =>
        ["infer", "--weights", ImporterFiles.Mini, "--images", images, "--out", outDir, "--device", "cpu", .. more];

    // a.png and d.png good; b.png a truncated PNG; c.jpg text with an image extension.
    private static string MixedFolder(TempDir dir)
    {
        string images = dir.File("images");
        Directory.CreateDirectory(images);
        File.Copy(Input, Path.Combine(images, "a.png"));
        var png = File.ReadAllBytes(Input);
        File.WriteAllBytes(Path.Combine(images, "b.png"), png[..(png.Length / 2)]);
        File.WriteAllText(Path.Combine(images, "c.jpg"), "this is text, not a JPEG");
        File.Copy(Input, Path.Combine(images, "d.png"));
        return images;
    }

    private static List<JsonElement> Results(string outDir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        return [.. json.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public void BadFilesAreNamedAndSkippedAndTheGoodOnesWritten()
    {
        using var dir = new TempDir();
        string images = MixedFolder(dir), outDir = dir.File("out");
        var (code, output, err) = Run(Infer(images, outDir, "--dump"));

        Assert.True(code == ExitCodes.FilesSkipped, $"exit {code}: {err}");
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var skipped = lines.Where(l => l.StartsWith("skipped: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, skipped.Count);
        Assert.Contains(Path.Combine(images, "b.png") + ": ", skipped[0]);
        Assert.Contains(Path.Combine(images, "c.jpg") + ": ", skipped[1]);
        Assert.Contains("starts with 0x", skipped[1]); // the reason, not just the name
        Assert.DoesNotContain("   at ", err);
        Assert.Contains("progress: 4/4 images", err);
        Assert.Contains("48 instance(s) in 2 image(s); 2 file(s) skipped", output);

        var results = Results(outDir);
        Assert.Equal(48, results.Count);
        Assert.Equal(["a.png", "d.png"], results.Select(e => e.GetProperty("file_name").GetString()).Distinct());
        Assert.True(File.Exists(Path.Combine(outDir, "a.png")) && File.Exists(Path.Combine(outDir, "d.png")));
        Assert.False(File.Exists(Path.Combine(outDir, "b.png")));
        Assert.False(File.Exists(Path.Combine(outDir, "c.png")));
        // Dumps only of the images that succeeded, and no staging folder left behind.
        Assert.Equal(["a", "d"], Directory.GetDirectories(Path.Combine(outDir, "dump")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void FailFastStopsAtTheFirstBadFileKeepingTheImagesBeforeIt()
    {
        using var dir = new TempDir();
        string images = MixedFolder(dir), outDir = dir.File("out");
        var (code, _, err) = Run(Infer(images, outDir, "--fail-fast", "--quiet"));

        Assert.Equal(ExitCodes.Failed, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains("b.png", line);
        Assert.Contains("the run stopped here", line);
        // The images before the bad one are never lost (issue "Reliability"); nothing after it ran.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        Assert.Equal(["a"], json.RootElement.EnumerateArray().Select(e => e.GetProperty("image_id").GetString()).Distinct());
        Assert.False(File.Exists(Path.Combine(outDir, "b.png")));
    }

    [Fact]
    public void NothingProcessedHasItsOwnExitCode()
    {
        using var dir = new TempDir();
        string images = dir.File("bad");
        Directory.CreateDirectory(images);
        File.WriteAllText(Path.Combine(images, "x.png"), "not a PNG");
        File.WriteAllBytes(Path.Combine(images, "y.png"), []);
        var (code, output, err) = Run(Infer(images, dir.File("out1")));
        Assert.Equal(ExitCodes.NothingProcessed, code);
        Assert.Contains("0 instance(s) in 0 image(s); 2 file(s) skipped", output);
        Assert.Contains("error: none of the 2 image(s) could be loaded", err);

        string empty = dir.File("empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "notes.txt"), "no images here");
        (code, _, err) = Run(Infer(empty, dir.File("out2")));
        Assert.Equal(ExitCodes.NothingProcessed, code);
        Assert.Contains("holds no image files", Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Theory]
    [InlineData("--mask-thr", "1.5", "--mask-thr must be a number from 0 to 1")]
    [InlineData("--nms-iou", "0", "--nms-iou must be above 0")]
    [InlineData("--classes", "unicorn", "'unicorn' is not a class of this model")]
    [InlineData("--classes", " , ", "give at least one class name")]
    public void BadArgumentsExitWithTheArgumentCode(string option, string value, string expected)
    {
        using var dir = new TempDir();
        string images = dir.File("images");
        Directory.CreateDirectory(images);
        File.Copy(Input, Path.Combine(images, "a.png"));
        var (code, _, err) = Run(Infer(images, dir.File("out"), option, value));
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains(expected, Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        (code, _, _) = Run(Infer(dir.File("no-such-folder"), dir.File("out")));
        Assert.Equal(ExitCodes.BadArguments, code);
    }

    [Fact]
    public void QuietNoOverlayAndClassesDoWhatTheySay()
    {
        using var dir = new TempDir();
        string images = dir.File("images"), outDir = dir.File("out");
        Directory.CreateDirectory(images);
        File.Copy(Input, Path.Combine(images, "a.png"));
        File.Copy(Input, Path.Combine(images, "b.png"));
        var labels = NpyArray.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "det_labels.npy.gz")).ToInts();
        string name = CocoCategories.Names[labels[0]];
        int expected = 2 * labels.Count(l => l == labels[0]);
        Assert.True(expected < 48); // the filter must remove something to be tested

        var (code, _, err) = Run(Infer(images, outDir, "--quiet", "--no-overlay", "--classes", name));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal("", err);
        Assert.Equal(["results.json"], Directory.GetFiles(outDir).Select(Path.GetFileName));
        var results = Results(outDir);
        Assert.Equal(expected, results.Count);
        Assert.All(results, e => Assert.Equal(CocoCategories.Ids[labels[0]], e.GetProperty("category_id").GetInt32()));
    }

    [Fact]
    public void MaskAndNmsThresholdsReachTheModel()
    {
        using var dir = new TempDir();
        string images = dir.File("images");
        Directory.CreateDirectory(images);
        File.Copy(Input, Path.Combine(images, "a.png"));
        File.Copy(Input, Path.Combine(images, "b.png"));

        var (code, _, err) = Run(Infer(images, dir.File("default"), "--quiet", "--no-overlay"));
        Assert.True(code == ExitCodes.Ok, err);
        var baseline = Results(dir.File("default"));
        (code, _, err) = Run(Infer(images, dir.File("mask"), "--quiet", "--no-overlay", "--mask-thr", "0.9"));
        Assert.True(code == ExitCodes.Ok, err);
        var strictMasks = Results(dir.File("mask"));
        (code, _, err) = Run(Infer(images, dir.File("nms"), "--quiet", "--no-overlay", "--nms-iou", "0.05"));
        Assert.True(code == ExitCodes.Ok, err);
        var strictNms = Results(dir.File("nms"));

        // A higher mask threshold keeps the same detections with fewer mask pixels; a lower NMS IoU keeps fewer boxes.
        Assert.Equal(baseline.Count, strictMasks.Count);
        Assert.True(Area(strictMasks) < Area(baseline), $"mask area {Area(strictMasks)} vs {Area(baseline)}");
        Assert.True(strictNms.Count < baseline.Count, $"{strictNms.Count} vs {baseline.Count} detections");
    }

    private static long Area(List<JsonElement> results) => results.Sum(e =>
    {
        var seg = e.GetProperty("segmentation");
        var size = seg.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        return (long)RleCodec.Decode(RleCodec.FromCompressed(seg.GetProperty("counts").GetString()!, size[0], size[1])).Count(b => b != 0);
    });
}
