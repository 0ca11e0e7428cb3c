using CondInst.Kernels.Cli;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Tests.Importer;

namespace CondInst.Kernels.Tests.Cli;

public sealed class ImporterCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void InspectZipShowsFormatCountsMetaAndSettings()
    {
        var (code, output, err) = Run("inspect", ImporterFiles.Mini);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var lines = Lines(output);
        Assert.Contains("format    pth (zip, torch.save default)", lines);
        Assert.Contains("tensors   423", lines);
        Assert.Contains("elements  2,439,863 (parameters 2,425,627, without BN running stats and num_batches_tracked)", lines);
        Assert.Contains("dtypes    float32 x 363, int64 x 60", lines);
        Assert.Contains("bytes     9,759,692 of tensor data (9.3 MiB), file 9,884,216", lines);
        Assert.Contains("settings  scale (448, 280), score_thr 0.05, nms_pre 1000, iou_threshold 0.6, max_per_img 100, mask_thr 0.5", lines);
        Assert.Contains("source    checkpoint meta config", lines);
        Assert.Contains("mmdet_version      3.3.0", lines);
        Assert.Contains(lines, l => l.StartsWith("classes            80 items: person, bicycle, car", StringComparison.Ordinal));
        Assert.Contains("config             4031 chars of text, first line: default_scope = 'mmdet'", lines);
        Assert.DoesNotContain("keys", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("backbone.conv1.weight", StringComparison.Ordinal));
    }

    [Fact]
    public void InspectLegacyWithKeysListsEveryKey()
    {
        var (code, output, _) = Run("inspect", ImporterFiles.MiniLegacy, "--keys");
        Assert.Equal(0, code);
        var lines = Lines(output);
        Assert.Contains("format    pth (legacy, _use_new_zipfile_serialization=False)", lines);
        int at = Array.IndexOf(lines, "keys");
        Assert.True(at > 0);
        Assert.Equal(423, lines.Length - at - 1);
        Assert.Matches(@"^backbone\.conv1\.weight +float32 +\[16, 3, 7, 7\]$", lines[at + 1]);
        Assert.Matches(@"^bbox_head\.scales\.0\.scale +float32 +\[\]$", lines.Single(l => l.StartsWith("bbox_head.scales.0.scale", StringComparison.Ordinal)));
        Assert.Matches(@"^backbone\.bn1\.num_batches_tracked +int64 +\[\]$", lines.Single(l => l.StartsWith("backbone.bn1.num_batches_tracked", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("mini.pth")]
    [InlineData("mini_legacy.pth")]
    public void ConvertWritesSafetensorsThatInspectReads(string file)
    {
        using var dir = new TempDir();
        string output = dir.File("out.safetensors");
        var (code, text, err) = Run("convert", Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", file), output);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.StartsWith($"wrote {output}: 423 tensors, ", text);
        Assert.Contains("settings: scale (448, 280), score_thr 0.05, nms_pre 1000, iou_threshold 0.6, max_per_img 100, mask_thr 0.5 [checkpoint meta config]", text);

        var (code2, shown, _) = Run("inspect", output);
        Assert.Equal(0, code2);
        var lines = Lines(shown);
        Assert.Contains("format    safetensors", lines);
        Assert.Contains("tensors   423", lines);
        Assert.Contains("source    safetensors metadata (from checkpoint meta config)", lines);
        Assert.Contains("experiment_name    condinst-random-weights-fixture", lines);
        using var st = Checkpoint.Load(output);
        using var pth = Checkpoint.Load(ImporterFiles.Mini);
        Assert.All(pth.Tensors, kv => Assert.True(kv.Value.Data.Span.SequenceEqual(st.Tensors[kv.Key].Data.Span), kv.Key));
    }

    [Fact]
    public void MissingFileIsOneLineAndNonZero()
    {
        var (code, output, err) = Run("inspect", "/no/such/model.pth");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(Lines(err));
        Assert.StartsWith("error: /no/such/model.pth: cannot open:", err);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        var (code, _, err) = Run("inspect");
        Assert.NotEqual(0, code);
        Assert.Equal("error: Required argument missing for command: 'inspect'. (see --help)", Assert.Single(Lines(err)));
        var (code2, _, err2) = Run("convert", ImporterFiles.Mini);
        Assert.NotEqual(0, code2);
        Assert.Single(Lines(err2));
        var (code3, _, err3) = Run("inspect", ImporterFiles.Mini, "--bogus");
        Assert.NotEqual(0, code3);
        Assert.Equal("error: Unrecognized command or argument '--bogus'. (see --help)", Assert.Single(Lines(err3)));
    }

    [Fact]
    public void FailedConvertLeavesNoOutputFile()
    {
        using var dir = new TempDir();
        string bad = dir.File("bad.pth");
        File.WriteAllBytes(bad, File.ReadAllBytes(ImporterFiles.Mini)[..4096]);
        string output = dir.File("out.safetensors");
        var (code, text, err) = Run("convert", bad, output);
        Assert.Equal(1, code);
        Assert.Equal("", text);
        Assert.StartsWith($"error: {bad}: not a complete zip archive", Assert.Single(Lines(err)));
        Assert.False(File.Exists(output));
        Assert.Equal(new[] { bad }, Directory.GetFiles(dir.Path));

        // Into a folder that does not exist: refused by the writer, nothing created.
        string nowhere = Path.Combine(dir.Path, "missing", "out.safetensors");
        var (code2, _, err2) = Run("convert", ImporterFiles.Mini, nowhere);
        Assert.Equal(1, code2);
        Assert.StartsWith($"error: {nowhere}: cannot write safetensors:", Assert.Single(Lines(err2)));
        Assert.Equal(new[] { bad }, Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void ConvertRefusesToOverwriteItsInput()
    {
        using var dir = new TempDir();
        string st = dir.File("m.safetensors");
        Assert.Equal(0, Run("convert", ImporterFiles.Mini, st).Code);
        long before = new FileInfo(st).Length;
        var (code, _, err) = Run("convert", st, st);
        Assert.Equal(1, code);
        Assert.Equal($"error: {st}: output is the input file; choose another path", Assert.Single(Lines(err)));
        Assert.Equal(before, new FileInfo(st).Length);
    }
}
