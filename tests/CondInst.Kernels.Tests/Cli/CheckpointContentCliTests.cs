using CondInst.Kernels.Cli;
using CondInst.Kernels.Tests.Importer;

namespace CondInst.Kernels.Tests.Cli;

/// <summary><c>condinst infer</c> with a checkpoint of NaN weights (one warning line, the run goes on) and one without classes (one error line, nothing written).</summary>
public sealed class CheckpointContentCliTests
{
    private static string Input => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "input.png");

    private static (int Code, string Out, string Err) Infer(string weights, string outDir)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["infer", "--weights", weights, "--image", Input, "--out", outDir, "--device", "cpu", "--quiet", "--no-overlay"], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void NanWeightsAreNamedInOneWarningLineAndTheRunCompletes()
    {
        using var dir = new TempDir();
        string weights = CheckpointContentTests.RewriteMini(dir.File("nan.pth"), CheckpointContentTests.Poison);
        string outDir = dir.File("out");
        var (code, output, err) = Infer(weights, outDir);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(["warning: " + string.Format(CheckpointContentTests.NanWarning, weights)], err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("0 instance(s) in 1 image(s)", output);
        Assert.Equal("[]", File.ReadAllText(Path.Combine(outDir, "results.json")).Trim());
    }

    [Fact]
    public void CleanWeightsGiveNoWarning()
    {
        using var dir = new TempDir();
        string weights = CheckpointContentTests.RewriteMini(dir.File("clean.pth"), t => t);
        var (code, output, err) = Infer(weights, dir.File("out"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal("", err);
        Assert.Contains("24 instance(s) in 1 image(s)", output);
    }

    [Fact]
    public void ACheckpointWithoutClassesIsRefusedInOneLineAndNothingIsWritten()
    {
        using var dir = new TempDir();
        string weights = CheckpointContentTests.RewriteMini(dir.File("zero.pth"), CheckpointContentTests.NoClasses);
        string outDir = dir.File("out");
        var (code, output, err) = Infer(weights, outDir);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("error: " + CheckpointContentTests.NoClassesError + "\n", err.ReplaceLineEndings("\n"));
        Assert.Equal("", output);
        Assert.False(File.Exists(Path.Combine(outDir, "results.json")));
    }
}
