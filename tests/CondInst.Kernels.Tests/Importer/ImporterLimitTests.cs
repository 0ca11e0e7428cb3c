using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Pickle;
using CondInst.Kernels.Importer.Settings;

namespace CondInst.Kernels.Tests.Importer;

/// <summary>
/// Each of <see cref="ImporterLimits"/>' limits: a hostile input of a few kilobytes that would otherwise take
/// gigabytes is refused with one line naming the limit and how to raise it; raising the limit accepts it.
/// </summary>
public sealed class ImporterLimitTests
{
    // Thirty doublings of a one-element list: 2^30 elements (8 GB of references) without the step bound.
    private static readonly string Doubling = "a = [1]\n" + string.Concat(Enumerable.Repeat("a = a + a\n", 30));

    [Fact]
    public void ConfigTextThatDoublesAListThirtyTimesIsStoppedByTheStepLimit()
    {
        var e = Assert.Throws<ImporterException>(() => SettingsResolver.FromConfigText(Doubling));
        Assert.Equal("checkpoint meta config: evaluating the config text takes more than 1000000 steps, which exceeds the limit ImporterLimits.MaxConfigSteps = 1000000 (raise it with --max-config-steps or ImporterLimits.MaxConfigSteps)", e.Message);

        // In a checkpoint's meta the refusal names the file too.
        var bytes = ImporterFiles.ZipPth([Tensor("w", 4)], new Dictionary<string, object?> { ["config"] = Doubling });
        var inFile = Assert.Throws<ImporterException>(() => Checkpoint.LoadBytes(bytes, "bomb.pth").Dispose());
        Assert.StartsWith("bomb.pth: checkpoint meta config: evaluating the config text takes more than 1000000 steps", inFile.Message);
    }

    [Fact]
    public void StepLimitCountsCopiedElementsAndCanBeRaised()
    {
        // Ten doublings copy 2 + 4 + ... + 1024 = 2046 elements, plus one step per value: under 2200, over 2000.
        string text = "a = [1]\n" + string.Concat(Enumerable.Repeat("a = a + a\n", 10)) + "test_cfg = dict(score_thr=0.5)\n";
        Assert.Throws<ImporterException>(() => SettingsResolver.FromConfigText(text, limits: new ImporterLimits { MaxConfigSteps = 2000 }));
        var s = SettingsResolver.FromConfigText(text, limits: new ImporterLimits { MaxConfigSteps = 2200 });
        Assert.Equal(0.5f, s!.ScoreThreshold);
    }

    [Fact]
    public void ConfigTextOverTheSizeLimitIsRefused()
    {
        string text = "test_cfg = dict(score_thr=0.5)\n" + new string('#', 5 << 20);
        var e = Assert.Throws<ImporterException>(() => SettingsResolver.FromConfigText(text));
        Assert.Equal($"checkpoint meta config: config text of {text.Length} characters exceeds the limit ImporterLimits.MaxConfigTextChars = 4194304 (raise it with --max-config-chars or ImporterLimits.MaxConfigTextChars)", e.Message);
        Assert.Equal(0.5f, SettingsResolver.FromConfigText(text, limits: new ImporterLimits { MaxConfigTextChars = 6 << 20 })!.ScoreThreshold);
    }

    [Theory]
    [InlineData("config")]
    [InlineData("sidecar")]
    [InlineData("safetensors")]
    public void TestScaleOverTheLimitIsRefusedFromEverySource(string where)
    {
        using var dir = new TempDir();
        string path;
        if (where == "config")
        {
            path = dir.File("big.pth");
            File.WriteAllBytes(path, ImporterFiles.ZipPth([Tensor("w", 4)], new Dictionary<string, object?>
            {
                ["config"] = "test_pipeline = [dict(type='Resize', scale=(8000, 8000), keep_ratio=True)]\n",
            }));
        }
        else if (where == "sidecar")
        {
            path = dir.File("big.pth");
            File.WriteAllBytes(path, ImporterFiles.ZipPth([Tensor("w", 4)]));
            File.WriteAllText(path + ".json", "{\"scale\": [8000, 8000]}");
        }
        else
        {
            path = dir.File("big.safetensors");
            var metadata = new Dictionary<string, string> { [SettingsResolver.MetadataKey] = "{\"scale\": [8000, 8000]}", [SettingsResolver.SourceKey] = "test" };
            CondInst.Kernels.Importer.Safetensors.SafetensorsWriter.Write(path, [Tensor("w", 4)], metadata);
        }
        var e = Assert.Throws<ImporterException>(() => Checkpoint.Load(path).Dispose());
        Assert.Contains("scale [8000, 8000] exceeds the limit ImporterLimits.MaxTestScale = 4096 (raise it with --max-test-scale or ImporterLimits.MaxTestScale)", e.Message.Replace("(8000, 8000)", "[8000, 8000]", StringComparison.Ordinal));
        Assert.Contains(where == "sidecar" ? path + ".json" : path, e.Message);
        using var raised = Checkpoint.Load(path, new ImporterLimits { MaxTestScale = 8000 });
        Assert.Equal((8000, 8000), (raised.Settings.ScaleLong, raised.Settings.ScaleShort));
    }

    [Fact]
    public void StrideZeroViewsAreBoundedInTotalRelativeToTheFileSize()
    {
        // Forty [2048, 2048] float32 views of one 4-byte storage, stride 0: 16 MiB each, 640 MiB from a 2 KB file.
        var w = new PickleWriter().Proto().Op((byte)'}').Mark();
        for (int i = 0; i < 40; i++) w.Str($"t{i}").Tensor("0", TensorDType.Float32, 1, 0, [2048, 2048], [0, 0]);
        var pickle = w.Op((byte)'u').Stop().ToArray();
        var bytes = ImporterFiles.Zip(("archive/data.pkl", pickle), ("archive/data/0", new byte[4]), ("archive/version", "3\n"u8.ToArray()));
        long allowed = (long)(bytes.Length * 4.0) + (64L << 20);

        var e = Assert.Throws<ImporterException>(() => Checkpoint.LoadBytes(bytes, "broadcast.pth").Dispose());
        Assert.Equal($"broadcast.pth: tensor 't4' brings the tensors' total to {5L * (16 << 20)} bytes from a file of {bytes.Length}, which exceeds the limit ImporterLimits.MaxTensorBytesPerFileByte = 4 (raise it with --max-tensor-ratio or ImporterLimits.MaxTensorBytesPerFileByte); allowed: {allowed} bytes", e.Message);

        // A higher allowance takes all forty (every value the broadcast element).
        using var ckpt = Checkpoint.LoadBytes(bytes, "broadcast.pth", limits: new ImporterLimits { TensorBytesAllowance = 40L * (16 << 20) });
        Assert.Equal(40, ckpt.Tensors.Count);
        Assert.Equal([2048, 2048], ckpt.Tensors["t39"].Shape);
    }

    [Fact]
    public void LimitsMustBePositive()
    {
        var bytes = ImporterFiles.ZipPth([Tensor("w", 4)]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Checkpoint.LoadBytes(bytes, "x.pth", limits: new ImporterLimits { MaxTestScale = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Checkpoint.LoadBytes(bytes, "x.pth", limits: new ImporterLimits { MaxTensorBytesPerFileByte = double.NaN }));
    }

    private static CheckpointTensor Tensor(string name, int n)
    {
        var data = new byte[4 * n];
        for (int i = 0; i < n; i++) BitConverter.TryWriteBytes(data.AsSpan(4 * i), (float)i);
        return new CheckpointTensor(name, TensorDType.Float32, [n], data);
    }
}
