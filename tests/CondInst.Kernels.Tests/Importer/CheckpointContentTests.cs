using System.Runtime.InteropServices;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Safetensors;
using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Model.Network;

namespace CondInst.Kernels.Tests.Importer;

/// <summary>
/// Checkpoints that read fine but cannot give a meaningful prediction: NaN or infinite weights are warned about at
/// load (they would silently give 0 instances), a model without classes is refused at load in one line (it used to
/// fail at inference with an internal dump).
/// </summary>
public sealed class CheckpointContentTests
{
    /// <summary>The tensor names the NaN cases poison, and the warning they must give for the file at <c>{0}</c>.</summary>
    internal const string NanWarning =
        "{0}: 2 tensor(s) hold NaN or infinite values ('backbone.conv1.weight': 2, 'bbox_head.conv_cls.bias': 3); predictions will be empty or wrong";

    /// <summary>The one line a checkpoint without classes gives.</summary>
    internal const string NoClassesError = "'bbox_head.conv_cls.weight' has 0 output channels (a model without classes); expected at least 1";

    /// <summary>
    /// The fixture checkpoint with two tensors poisoned: one NaN and one +infinity in the stem's weights, and three of
    /// the class biases NaN.
    /// </summary>
    internal static CheckpointTensor Poison(CheckpointTensor t) => t.Name switch
    {
        "backbone.conv1.weight" => WithValues(t, (5, float.PositiveInfinity), (9, float.NaN)),
        "bbox_head.conv_cls.bias" => WithValues(t, (0, float.NaN), (1, float.NaN), (2, float.NaN)),
        _ => t,
    };

    /// <summary>The fixture checkpoint with a class head of 0 outputs (its weight [0, C, 3, 3], its bias [0]).</summary>
    internal static CheckpointTensor NoClasses(CheckpointTensor t) => t.Name switch
    {
        "bbox_head.conv_cls.weight" => new CheckpointTensor(t.Name, t.DType, [0, .. t.Shape[1..]], Array.Empty<byte>()),
        "bbox_head.conv_cls.bias" => new CheckpointTensor(t.Name, t.DType, [0], Array.Empty<byte>()),
        _ => t,
    };

    /// <summary>
    /// Writes the fixture checkpoint (mini.pth) with <paramref name="change"/> applied to each tensor, as a zip .pth
    /// with the fixture's metadata or as safetensors, depending on <paramref name="path"/>'s extension.
    /// </summary>
    internal static string RewriteMini(string path, Func<CheckpointTensor, CheckpointTensor> change)
    {
        using var source = Checkpoint.Load(ImporterFiles.Mini);
        var tensors = source.Tensors.Values.Select(t => change(new CheckpointTensor(t.Name, t.DType, t.Shape, t.Data.ToArray()))).ToList();
        if (path.EndsWith(".safetensors", StringComparison.Ordinal)) SafetensorsWriter.Write(path, tensors, null);
        else File.WriteAllBytes(path, ImporterFiles.ZipPth(tensors, source.Meta));
        return path;
    }

    private static CheckpointTensor WithValues(CheckpointTensor t, params (int Index, float Value)[] values)
    {
        Assert.Equal(TensorDType.Float32, t.DType);
        var data = t.ToFloat32();
        foreach (var (i, v) in values) data[i] = v;
        return new CheckpointTensor(t.Name, t.DType, t.Shape, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
    }

    [Theory]
    [InlineData("nan.pth")]
    [InlineData("nan.safetensors")]
    public void NanWeightsGiveOneWarningNamingTheFileAndTheTensors(string name)
    {
        using var dir = new TempDir();
        string path = RewriteMini(dir.File(name), Poison);
        using var model = CondInstModel.Load(path, "cpu");
        Assert.Equal(string.Format(NanWarning, path), Assert.Single(model.Warnings));
        // What the warning is for: without it this model would answer every image with nothing, and say nothing.
        var (bgr, width, height) = MiniFixture.Image();
        Assert.Empty(model.Predict(bgr, width, height, "input").Instances);
    }

    [Theory]
    [InlineData("clean.pth")]
    [InlineData("clean.safetensors")]
    public void CleanWeightsGiveNoWarning(string name)
    {
        using var dir = new TempDir();
        // The same writer as the NaN cases with nothing changed, and the fixture file itself.
        string path = RewriteMini(dir.File(name), t => t);
        using (var model = CondInstModel.Load(path, "cpu"))
            Assert.Empty(model.Warnings);
        using (var model = CondInstModel.Load(ImporterFiles.Mini, "cpu"))
            Assert.Empty(model.Warnings);
    }

    [Theory]
    [InlineData("zero.pth")]
    [InlineData("zero.safetensors")]
    public void ACheckpointWithoutClassesIsRefusedAtLoadInOneLine(string name)
    {
        using var dir = new TempDir();
        string path = RewriteMini(dir.File(name), NoClasses);
        var e = Assert.Throws<ImporterException>(() => CondInstModel.Load(path, "cpu"));
        Assert.Equal(NoClassesError, e.Message);
    }
}
