using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Safetensors;

namespace CondInst.Kernels.Tests.Importer;

public sealed class SafetensorsTests
{
    [Theory]
    [InlineData("mini.pth")]
    [InlineData("mini_legacy.pth")]
    public void PthToSafetensorsIsBitExactAndKeepsSettingsAndMeta(string file)
    {
        using var dir = new TempDir();
        using var pth = Checkpoint.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", file));
        string out1 = dir.File("mini.safetensors");
        pth.SaveSafetensors(out1);
        using var st = Checkpoint.Load(out1);
        Assert.Equal(CheckpointFormat.Safetensors, st.Format);
        Assert.Equal(pth.Tensors.Keys, st.Tensors.Keys);
        foreach (var (name, t) in pth.Tensors)
        {
            var u = st.Tensors[name];
            Assert.Equal(t.DType, u.DType);
            Assert.Equal(t.Shape, u.Shape);
            Assert.True(t.Data.Span.SequenceEqual(u.Data.Span), $"{name} changed in conversion");
        }
        Assert.Equal(pth.Settings with { Source = "safetensors metadata (from checkpoint meta config)" }, st.Settings);
        Assert.Equal(new TestSettings(448, 280, 0.05f, 1000, 0.6f, 100, 0.5f, "safetensors metadata (from checkpoint meta config)"), st.Settings);
        Assert.Equal(MetaJson.Write(pth.Meta), MetaJson.Write(st.Meta));
        Assert.Equal(pth.Meta["config"], st.Meta["config"]);

        // A second conversion from the safetensors file writes the same tensors and meta again.
        string out2 = dir.File("again.safetensors");
        st.SaveSafetensors(out2);
        using var st2 = Checkpoint.Load(out2);
        Assert.True(File.ReadAllBytes(out1).AsSpan(8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(out1)))
            .SequenceEqual(File.ReadAllBytes(out2).AsSpan(8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(out2)))));
        Assert.Equal(MetaJson.Write(pth.Meta), MetaJson.Write(st2.Meta));
    }

    [Fact]
    public void VariantsRoundTripEveryDtype()
    {
        using var dir = new TempDir();
        using var pth = Checkpoint.LoadBytes(Convert.FromBase64String(TorchExpected.VariantsZip), "variants.pth");
        pth.SaveSafetensors(dir.File("v.safetensors"));
        using var st = Checkpoint.Load(dir.File("v.safetensors"));
        foreach (var (name, dtype, shape, data) in TorchExpected.Variants)
        {
            Assert.Equal(dtype, st.Tensors[name].DType);
            Assert.Equal(shape, st.Tensors[name].Shape);
            Assert.True(Convert.FromBase64String(data).AsSpan().SequenceEqual(st.Tensors[name].Data.Span), name);
        }
        // No config anywhere: defaults, and that is what the metadata says.
        Assert.Equal(TestSettings.R50Defaults with { Source = "safetensors metadata (from defaults (R-50 spec))" }, st.Settings);
    }

    [Fact]
    public void WriterOutputIsExactlyTheSpecifiedLayout()
    {
        using var dir = new TempDir();
        string path = dir.File("tiny.safetensors");
        SafetensorsWriter.Write(path, [ImporterFiles.F32("a", [2], 1f, 2f), new CheckpointTensor("b", TensorDType.UInt8, [3], new byte[] { 7, 8, 9 })],
            new Dictionary<string, string> { ["k"] = "v" });
        string json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]}}";
        int padded = (json.Length + 7) / 8 * 8;
        var expected = new List<byte>();
        expected.AddRange(BitConverter.GetBytes((ulong)padded));
        expected.AddRange(Encoding.ASCII.GetBytes(json.PadRight(padded)));
        expected.AddRange(BitConverter.GetBytes(1f));
        expected.AddRange(BitConverter.GetBytes(2f));
        expected.AddRange(new byte[] { 7, 8, 9 });
        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(0, (8 + padded) % 8);
        Assert.Single(Directory.GetFiles(dir.Path));

        using var back = Checkpoint.Load(path);
        Assert.Equal(new[] { 1f, 2f }, back.Tensors["a"].ToFloat32());
        Assert.Equal("v", back.Meta["k"]);
    }

    [Fact]
    public void HeaderIsValidJsonWithMetadataFirst()
    {
        using var dir = new TempDir();
        using var pth = Checkpoint.Load(ImporterFiles.Mini);
        string path = dir.File("m.safetensors");
        pth.SaveSafetensors(path);
        var bytes = File.ReadAllBytes(path);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var props = doc.RootElement.EnumerateObject().ToList();
        Assert.Equal("__metadata__", props[0].Name);
        Assert.Equal(424, props.Count);
        var meta = props[0].Value;
        Assert.Equal("pt", meta.GetProperty("format").GetString());
        Assert.Equal("checkpoint meta config", meta.GetProperty("condinst.test_settings_source").GetString());
        Assert.Equal("{\"scale\": [448, 280], \"score_thr\": 0.05, \"nms_pre\": 1000, \"iou_threshold\": 0.6, \"max_per_img\": 100, \"mask_thr\": 0.5}",
            meta.GetProperty("condinst.test_settings").GetString());
        Assert.Equal("mini.pth (PthZip)", meta.GetProperty("condinst.converted_from").GetString());
        long end = 0;
        foreach (var p in props.Skip(1))
        {
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(end, offsets[0]);
            end = offsets[1];
        }
        Assert.Equal(bytes.Length - 8 - n, end);
    }

    [Fact]
    public void FailedWriteLeavesNoFile()
    {
        using var dir = new TempDir();
        string path = dir.File("dup.safetensors");
        var e = Assert.Throws<ImporterException>(() => SafetensorsWriter.Write(path, [ImporterFiles.F32("a", [1], 1f), ImporterFiles.F32("a", [1], 2f)], null));
        Assert.Contains("'a'", e.Message);
        Assert.Contains("used twice", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));

        string missingDir = Path.Combine(dir.Path, "no", "such", "x.safetensors");
        var io = Assert.Throws<ImporterException>(() => SafetensorsWriter.Write(missingDir, [ImporterFiles.F32("a", [1], 1f)], null));
        Assert.Contains(missingDir, io.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void OverwritesAnExistingFileWhole()
    {
        using var dir = new TempDir();
        string path = dir.File("x.safetensors");
        File.WriteAllBytes(path, new byte[100_000]);
        SafetensorsWriter.Write(path, [ImporterFiles.F32("a", [1], 3f)], null);
        using var ckpt = Checkpoint.Load(path);
        Assert.Equal(new[] { 3f }, ckpt.Tensors["a"].ToFloat32());
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
