using CondInst.Kernels.Cli;
using CondInst.Kernels.Tests.Engine;

namespace CondInst.Kernels.Tests.Cli;

/// <summary>
/// <c>condinst infer --dump</c> when the disk fills up part-way through the stage dumps (about 39 MB for the fixture
/// image; the disks below hold 16 MiB): one error line, exit code 1, and no <c>*.npy.tmp</c>, no half-written dump
/// folder, no results.json left behind. Once on a simulated disk (every platform), once on a real tmpfs where one can
/// be mounted.
/// </summary>
public sealed class DumpFullDiskCliTests
{
    private const long Capacity = 16 << 20;

    private static string Input => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", "input.png");

    private static void DumpFailsCleanly(string outDir)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["infer", "--weights", Importer.ImporterFiles.Mini, "--image", Input, "--out", outDir, "--device", "cpu", "--dump", "--quiet"], stdout, stderr);
        Assert.Equal(ExitCodes.Failed, code);
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, stderr.ToString());
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains("No space left on device", lines[0]);
        Assert.DoesNotContain("   at ", stderr.ToString());
        Assert.Equal("", stdout.ToString());
        // Nothing at all: no .npy.tmp, no arrays of the stages that did fit, no results.json, no overlay.
        Assert.Empty(Directory.Exists(outDir) ? Directory.GetFiles(outDir, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public void DumpOnASimulatedFullDiskLeavesNoTemporaryOrPartialFiles()
    {
        using var dir = new Importer.TempDir();
        var disk = new FullDisk(Capacity);
        NpyArray.CreateForWrite.Value = disk.Create;
        try
        {
            DumpFailsCleanly(dir.File("out"));
        }
        finally
        {
            NpyArray.CreateForWrite.Value = null;
        }
    }

    [Fact]
    public void DumpOnAFullTmpfsLeavesNoTemporaryOrPartialFiles()
    {
        using var fs = SmallTmpfs.TryMount(Capacity, out string why);
        if (fs is null) Assert.Skip($"{why}; the simulated-disk case checks the same on every platform");
        DumpFailsCleanly(Path.Combine(fs.Path, "out"));
    }
}
