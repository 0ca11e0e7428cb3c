using System.Text.Json;
using CondInst.Kernels.Cli;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Tests.Importer;

namespace CondInst.Kernels.Tests.Cli;

/// <summary>Wrong arguments and hostile files give one line saying what was expected; batch runs never mix or lose results.</summary>
public sealed class ArgumentValidationTests
{
    private static string Input => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "input.png");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string OneLine(string err)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, err);
        Assert.DoesNotContain("   at ", err);
        return lines[0];
    }

    [Theory]
    [InlineData("--score-thr", "2", "error: --score-thr must be a number from 0 to 1, got '2' (see --help)")]
    [InlineData("--score-thr", "-1", "error: --score-thr must be a number from 0 to 1, got '-1' (see --help)")]
    [InlineData("--score-thr", "NaN", "error: --score-thr must be a number from 0 to 1, got 'NaN' (see --help)")]
    [InlineData("--score-thr", "abc", "error: --score-thr must be a number from 0 to 1, got 'abc' (see --help)")]
    [InlineData("--overlay-thr", "NaN", "error: --overlay-thr must be a number from 0 to 1, got 'NaN' (see --help)")]
    [InlineData("--max-dets", "0", "error: --max-dets must be a whole number of at least 1, got '0' (see --help)")]
    [InlineData("--out", "", "error: --out must be a path, got an empty string (see --help)")]
    [InlineData("--max-image-pixels", "0", "error: --max-image-pixels must be a positive number, got 0 (see --help)")]
    [InlineData("--max-tensor-ratio", "NaN", "error: --max-tensor-ratio must be a positive number, got NaN (see --help)")]
    public void OutOfRangeValuesGiveOneLineSayingWhatWasExpected(string option, string value, string expected)
    {
        var args = new List<string> { "infer", "--weights", ImporterFiles.Mini, "--image", Input, "--out", "o", "--device", "cpu" };
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var (code, output, err) = Run([.. args]);
        Assert.Equal(2, code);
        Assert.Equal(expected, OneLine(err));
        Assert.Equal("", output);
    }

    [Fact]
    public void WeightsThatAreAFolderOrAFifoAndAnUnknownDeviceIndexAreRefused()
    {
        using var dir = new TempDir();
        string outDir = dir.File("out");
        var (code, _, err) = Run("infer", "--weights", dir.Path, "--image", Input, "--out", outDir, "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Equal($"error: {dir.Path}: is a directory; expected a .pth or .safetensors checkpoint file", OneLine(err));

        string fifo = dir.File("pipe.pth");
        using (var p = System.Diagnostics.Process.Start("mkfifo", fifo)) p.WaitForExit();
        (code, _, err) = Run("infer", "--weights", fifo, "--image", Input, "--out", outDir, "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Equal($"error: {fifo}: empty file (0 bytes); expected a .pth or .safetensors checkpoint (a FIFO or device reads as 0 bytes and is not opened)", OneLine(err));

        (code, _, err) = Run("infer", "--weights", ImporterFiles.Mini, "--image", Input, "--out", outDir, "--device", "cpu:5");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Equal("error: device 'cpu:5': there is one cpu device, cpu:0", OneLine(err));
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void InspectShowsControlCharactersInMetaAsEscapes()
    {
        using var dir = new TempDir();
        string path = dir.File("ansi.pth");
        var meta = new Dictionary<string, object?> { ["title\u001b[2J"] = "red \u001b[31mALERT\u001b[0m\rover", ["plain"] = "ok" };
        File.WriteAllBytes(path, ImporterFiles.ZipPth([new CheckpointTensor("w\u0007", TensorDType.Float32, [1], new byte[4])], meta));
        var (code, output, err) = Run("inspect", path, "--keys");
        Assert.True(code == 0, err);
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\r', output);
        Assert.DoesNotContain('\u0007', output);
        Assert.Contains(@"title\x1b[2J", output);
        Assert.Contains(@"red \x1b[31mALERT\x1b[0m\x0dover", output);
        Assert.Contains(@"w\x07", output);
    }

    [Fact]
    public void ABatchNeverMixesWithAnOlderRunAndKeepsTheImagesDoneBeforeABadOne()
    {
        using var dir = new TempDir();
        string images = dir.File("images"), outDir = dir.File("out");
        Directory.CreateDirectory(images);
        Directory.CreateDirectory(outDir);
        File.Copy(Input, Path.Combine(images, "a.png"));
        File.WriteAllText(Path.Combine(images, "b.png"), "not an image");
        File.Copy(Input, Path.Combine(images, "c.png"));
        // An older run's results.json in the output folder.
        File.WriteAllText(Path.Combine(outDir, "results.json"), "[{\"image_id\": \"old\"}]");

        var (code, _, err) = Run("infer", "--weights", ImporterFiles.Mini, "--images", images, "--out", outDir, "--device", "cpu", "--fail-fast");
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("b.png: not an image", err);
        Assert.Contains("the run stopped here, results.json holds the 1 image(s) before it", err);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var ids = json.RootElement.EnumerateArray().Select(e => e.GetProperty("image_id").GetString()).Distinct().ToList();
        Assert.Equal(["a"], ids);
        Assert.Equal(24, json.RootElement.GetArrayLength());
    }

    [Fact]
    public void AFailedFirstImageLeavesNoOlderResults()
    {
        using var dir = new TempDir();
        string outDir = dir.File("out"), bad = dir.File("bad.png");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(bad, "not an image");
        File.WriteAllText(Path.Combine(outDir, "results.json"), "[{\"image_id\": \"old\"}]");
        var (code, _, _) = Run("infer", "--weights", ImporterFiles.Mini, "--image", bad, "--out", outDir, "--device", "cpu");
        Assert.Equal(1, code);
        Assert.False(File.Exists(Path.Combine(outDir, "results.json")));
    }
}
