using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Tests.Importer;

public sealed class BindTests
{
    [Fact]
    public void MiniBindsToItsOwnParameterList()
    {
        using var ckpt = Checkpoint.Load(ImporterFiles.Mini);
        // The model's list has no num_batches_tracked entries; the checkpoint's 60 of them (one per BatchNorm) are ignored.
        var expected = TorchExpected.Mini.Where(e => !e.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Select(e => new ParameterSpec(e.Name, e.Shape)).ToList();
        Assert.Equal(423 - 60, expected.Count);
        ckpt.Bind(expected);
    }

    [Fact]
    public void ReportsEveryProblemAtOnce()
    {
        var tensors = new List<CheckpointTensor>
        {
            ImporterFiles.F32("conv.weight", [2, 1, 1, 1], 1f, 2f),
            ImporterFiles.F32("bn.weight", [3], 1f, 1f, 1f),
            new("bn.num_batches_tracked", TensorDType.Int64, [], new byte[8]),
            new("head.index", TensorDType.Int64, [2], new byte[16]),
            ImporterFiles.F32("extra.bias", [1], 0f),
        };
        using var ckpt = Checkpoint.LoadBytes(ImporterFiles.ZipPth(tensors), "model.pth");
        var e = Assert.Throws<ImporterException>(() => ckpt.Bind(
        [
            new ParameterSpec("conv.weight", [4, 1, 1, 1]),
            new ParameterSpec("bn.weight", [3]),
            new ParameterSpec("bn.bias", [3]),
            new ParameterSpec("head.index", [2]),
            new ParameterSpec("other.num_batches_tracked", []),
        ]));
        Assert.Equal(
            "model.pth: the state dict does not match the model (4 problems: 1 missing, 1 unexpected, 1 shape mismatches, 1 non-float)\n" +
            "  missing keys (expected, not in the checkpoint):\n    bn.bias [3]\n" +
            "  unexpected keys (in the checkpoint, not expected):\n    extra.bias float32 [1]\n" +
            "  shape mismatches:\n    conv.weight: expected [4, 1, 1, 1], found [2, 1, 1, 1]\n" +
            "  non-float dtypes:\n    head.index: expected a float type, found int64",
            e.Message);
    }

    [Fact]
    public void ScalarsAndFloat16Bind()
    {
        var tensors = new List<CheckpointTensor>
        {
            ImporterFiles.F32("scales.0.scale", [], 1.5f),
            new("half.weight", TensorDType.Float16, [2], new byte[4]),
        };
        using var ckpt = Checkpoint.LoadBytes(ImporterFiles.ZipPth(tensors), "model.pth");
        ckpt.Bind([new ParameterSpec("scales.0.scale", []), new ParameterSpec("half.weight", [2])]);
        var e = Assert.Throws<ImporterException>(() => ckpt.Bind([new ParameterSpec("scales.0.scale", [1]), new ParameterSpec("half.weight", [2])]));
        Assert.Contains("scales.0.scale: expected [1], found []", e.Message);
    }
}
