using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Tests.Importer;

public sealed class PthReaderTests
{
    [Fact]
    public void MiniZipMatchesWhatTorchReads()
    {
        using var ckpt = Checkpoint.Load(ImporterFiles.Mini);
        Assert.Equal(CheckpointFormat.PthZip, ckpt.Format);
        Assert.Equal(423, ckpt.Tensors.Count);
        Assert.Equal(TorchExpected.Mini.Select(e => e.Name), ckpt.Tensors.Keys);
        foreach (var (name, dtype, shape, sha) in TorchExpected.Mini)
        {
            var t = ckpt.Tensors[name];
            Assert.Equal(dtype, t.DType);
            Assert.Equal(shape, t.Shape);
            Assert.True(sha == ImporterFiles.Sha256(t.Data.Span), $"{name}: bytes differ from torch's");
        }
    }

    [Fact]
    public void MiniLegacyLoadsToTheSameTensorsAsZip()
    {
        using var zip = Checkpoint.Load(ImporterFiles.Mini);
        using var legacy = Checkpoint.Load(ImporterFiles.MiniLegacy);
        Assert.Equal(CheckpointFormat.PthLegacy, legacy.Format);
        Assert.Equal(zip.Tensors.Keys, legacy.Tensors.Keys);
        foreach (var (name, t) in zip.Tensors)
        {
            var u = legacy.Tensors[name];
            Assert.Equal(t.DType, u.DType);
            Assert.Equal(t.Shape, u.Shape);
            Assert.True(t.Data.Span.SequenceEqual(u.Data.Span), $"{name} differs between zip and legacy");
        }
        Assert.Equal(zip.Settings, legacy.Settings);
        Assert.Equal(zip.Meta.Keys, legacy.Meta.Keys);
    }

    [Fact]
    public void MiniSpotValuesAndR50Naming()
    {
        using var ckpt = Checkpoint.Load(ImporterFiles.Mini);
        foreach (var (name, first) in TorchExpected.MiniSpots)
            Assert.Equal(first, ckpt.Tensors[name].ToFloat32().Take(first.Length));
        // The fixture has the R-50 key set exactly (Fixtures/r50/state_dict_r50.txt); only the widths differ.
        Assert.Equal(new[] { 16, 3, 7, 7 }, ckpt.Tensors["backbone.conv1.weight"].Shape);
        Assert.Empty(ckpt.Tensors["bbox_head.scales.4.scale"].Shape);
        Assert.Equal(TensorDType.Int64, ckpt.Tensors["backbone.layer4.2.bn3.num_batches_tracked"].DType);
        Assert.Equal(new[] { 8, 64, 1, 1 }, ckpt.Tensors["mask_head.mask_feature_head.conv_pred.weight"].Shape);
        Assert.Equal(169, ckpt.Tensors["bbox_head.controller.weight"].Shape[0]);
    }

    [Fact]
    public void MiniMetaAndSettingsComeFromTheCheckpointConfig()
    {
        using var ckpt = Checkpoint.Load(ImporterFiles.Mini);
        Assert.Equal("3.3.0", ckpt.Meta["mmdet_version"]);
        Assert.Equal("0.11.0rc0", ckpt.Meta["mmengine_version"]);
        Assert.Equal(1L, ckpt.Meta["seed"]);
        Assert.Equal("condinst-random-weights-fixture", ckpt.Meta["experiment_name"]);
        var dataset = Assert.IsType<Dictionary<string, object?>>(ckpt.Meta["dataset_meta"]);
        var classes = Assert.IsType<List<object?>>(dataset["classes"]);
        Assert.Equal(80, classes.Count);
        Assert.Equal("person", classes[0]);
        Assert.Equal("toothbrush", classes[79]);
        var palette = Assert.IsType<List<object?>>(dataset["palette"]);
        Assert.Equal(new List<object?> { 220L, 20L, 60L }, palette[0]);
        Assert.StartsWith("default_scope = 'mmdet'", Assert.IsType<string>(ckpt.Meta["config"]));
        Assert.Equal(new TestSettings(448, 280, 0.05f, 1000, 0.6f, 100, 0.5f, "checkpoint meta config"), ckpt.Settings);
    }

    [Fact]
    public void ShapesDemoSettingsAre320()
    {
        using var ckpt = Checkpoint.Load(ImporterFiles.Shapes);
        Assert.Equal(new TestSettings(320, 320, 0.05f, 1000, 0.6f, 100, 0.5f, "checkpoint meta config"), ckpt.Settings);
        var dataset = Assert.IsType<Dictionary<string, object?>>(ckpt.Meta["dataset_meta"]);
        Assert.Equal(new List<object?> { "circle", "square", "triangle" }, dataset["classes"]);
        Assert.Equal(1192L, ckpt.Meta["train_iters"]);
        var eval = Assert.IsType<Dictionary<string, object?>>(ckpt.Meta["heldout_eval"]);
        Assert.Equal(0.9438, Assert.IsType<Dictionary<string, object?>>(eval["bbox"])["mAP50"]);
        Assert.Equal(423, ckpt.Tensors.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryDtypeViewAndSharedStorageMatchesTorch(bool legacy)
    {
        var bytes = Convert.FromBase64String(legacy ? TorchExpected.VariantsLegacy : TorchExpected.VariantsZip);
        using var ckpt = Checkpoint.LoadBytes(bytes, legacy ? "variants_legacy.pth" : "variants.pth");
        Assert.Equal(legacy ? CheckpointFormat.PthLegacy : CheckpointFormat.PthZip, ckpt.Format);
        // A bare state dict with "module." on every key: loaded with the prefix stripped, in order.
        Assert.Equal(TorchExpected.Variants.Select(v => v.Name), ckpt.Tensors.Keys);
        foreach (var (name, dtype, shape, data) in TorchExpected.Variants)
        {
            var t = ckpt.Tensors[name];
            Assert.Equal(dtype, t.DType);
            Assert.Equal(shape, t.Shape);
            Assert.True(Convert.FromBase64String(data).AsSpan().SequenceEqual(t.Data.Span), $"{name}: bytes differ from torch's");
        }
        Assert.Empty(ckpt.Meta);
        Assert.Equal(TestSettings.R50Defaults, ckpt.Settings);
    }

    [Fact]
    public void ConvertsEveryDtypeToFloat32()
    {
        using var ckpt = Checkpoint.LoadBytes(Convert.FromBase64String(TorchExpected.VariantsZip), "variants.pth");
        Assert.Equal(new[] { 1f, -2f, 1099511627776f }, ckpt.Tensors["i64"].ToFloat32());
        Assert.Equal(new[] { 7f, -8f }, ckpt.Tensors["i32"].ToFloat32());
        Assert.Equal(new[] { -128f, 5f, 127f }, ckpt.Tensors["i8"].ToFloat32());
        Assert.Equal(new[] { 0f, 200f, 255f }, ckpt.Tensors["u8"].ToFloat32());
        Assert.Equal(new[] { 1f, 0f, 1f }, ckpt.Tensors["bool"].ToFloat32());
        Assert.Equal(new[] { 2.5f }, ckpt.Tensors["scalar"].ToFloat32());
        Assert.Equal(new[] { 0f, 1f, 2f, 0f, 1f, 2f }, ckpt.Tensors["expanded"].ToFloat32());
        var baseValues = ckpt.Tensors["base"].ToFloat32();
        var transposed = ckpt.Tensors["transposed"].ToFloat32();
        Assert.Equal(baseValues[1 * 6 + 2], transposed[2 * 4 + 1]);
        // float16/bfloat16/float64 decode to the float32 of the same value (float64: the nearest), checked against
        // the bytes torch itself wrote for these tensors (TorchExpected.Variants), decoded here by the runtime.
        foreach (string name in new[] { "f16", "bf16", "f64" })
        {
            var bytes = Convert.FromBase64String(TorchExpected.Variants.Single(v => v.Name == name).Bytes);
            float[] expected = name switch
            {
                "f16" => Enumerable.Range(0, bytes.Length / 2).Select(i => (float)BitConverter.ToHalf(bytes, 2 * i)).ToArray(),
                "bf16" => Enumerable.Range(0, bytes.Length / 2).Select(i => BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(bytes, 2 * i) << 16)).ToArray(),
                _ => Enumerable.Range(0, bytes.Length / 8).Select(i => (float)BitConverter.ToDouble(bytes, 8 * i)).ToArray(),
            };
            Assert.Equal(name == "f64" ? 3 : 5, expected.Length);
            Assert.Equal(expected, ckpt.Tensors[name].ToFloat32());
        }
    }

    [Fact]
    public void ForeignMetaLoadsAsInertPlaceholders()
    {
        using var ckpt = Checkpoint.LoadBytes(Convert.FromBase64String(TorchExpected.ForeignMeta), "foreign.pth");
        Assert.Equal("torch.nn.modules.conv.Conv2d", ckpt.Meta["cls"]!.ToString());
        Assert.IsType<MetaPlaceholder>(ckpt.Meta["cls"]);
        Assert.Equal("numpy.core.multiarray.scalar", Assert.IsType<MetaPlaceholder>(ckpt.Meta["np_scalar"]).Description);
        Assert.Equal(1180591620717411303424.0, ckpt.Meta["big"]);
        var nested = Assert.IsType<Dictionary<string, object?>>(ckpt.Meta["nested"]);
        Assert.Equal(new List<object?> { 1L, 2.5, null, true, "x" }, nested["items"]);
        Assert.Equal(new List<object?> { 3L, "y" }, nested["pair"]);
        // The config text sits one dict deeper, under 'cfg'.
        Assert.Equal(new TestSettings(640, 480, 0.3f, 500, 0.5f, 50, 0.4f, "checkpoint meta config"), ckpt.Settings);
        Assert.Equal(new[] { 1f, 1f }, ckpt.Tensors["w"].ToFloat32());
    }

    [Fact]
    public void TensorDataIsUnreadableAfterDispose()
    {
        var ckpt = Checkpoint.Load(ImporterFiles.Mini);
        var data = ckpt.Tensors["backbone.conv1.weight"].Data;
        Assert.Equal(16 * 3 * 7 * 7 * 4, data.Length);
        ckpt.Dispose();
        Assert.Throws<ObjectDisposedException>(() => data.Span[0]);
    }
}
