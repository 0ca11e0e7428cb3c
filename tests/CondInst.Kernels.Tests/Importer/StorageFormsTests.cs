using System.Buffers.Binary;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.IO;
using CondInst.Kernels.Importer.Pickle;
using CondInst.Kernels.Importer.Pth;

namespace CondInst.Kernels.Tests.Importer;

/// <summary>Storage and archive forms other torch versions write, crafted opcode by opcode.</summary>
public sealed class StorageFormsTests
{
    private const byte Tuple = (byte)'t', PersId = (byte)'Q', Reduce = (byte)'R', EmptyTuple = (byte)')', SetItems = (byte)'u', NewFalse = 0x89;

    private static PickleWriter Hooks(PickleWriter w) => w.Op(NewFalse).Global("collections", "OrderedDict").Op(EmptyTuple).Op(Reduce);

    private static Checkpoint LoadZip(byte[] pickle, byte[] storage) =>
        Checkpoint.LoadBytes(ImporterFiles.Zip(("archive/data.pkl", pickle), ("archive/data/0", storage)), "forms.pth");

    private static byte[] Halves(params float[] v) => v.SelectMany(x => BitConverter.GetBytes((Half)x)).ToArray();

    [Fact]
    public void UntypedStorageWithRebuildTensorV3()
    {
        // torch 2.x form: ('storage', torch.UntypedStorage, key, location, nbytes) and the dtype as the 7th argument.
        var w = new PickleWriter().Proto().Op((byte)'}').Mark().Str("h").Global("torch._utils", "_rebuild_tensor_v3").Mark();
        w.Mark().Str("storage").Global("torch", "UntypedStorage").Str("0").Str("cpu").Int(8).Op(Tuple).Op(PersId);
        Hooks(w.Int(1).Tuple([3]).Tuple([1])).Global("torch", "float16").Op(Tuple).Op(Reduce).Op(SetItems).Stop();
        using var ckpt = LoadZip(w.ToArray(), Halves(9f, 1.5f, -2f, 0.25f));
        var t = ckpt.Tensors["h"];
        Assert.Equal(TensorDType.Float16, t.DType);
        Assert.Equal(new[] { 1.5f, -2f, 0.25f }, t.ToFloat32());
    }

    [Fact]
    public void DtypeFormStorageTypeAndCudaStorages()
    {
        var w = new PickleWriter().Proto().Op((byte)'}').Mark();
        w.Str("bf").Global("torch._utils", "_rebuild_tensor_v2").Mark();
        w.Mark().Str("storage").Global("torch", "bfloat16").Str("0").Str("cpu").Int(2).Op(Tuple).Op(PersId);
        Hooks(w.Int(0).Tuple([2]).Tuple([1])).Op(Tuple).Op(Reduce);
        // A checkpoint saved from a GPU names torch.cuda.FloatStorage and 'cuda:0'; it loads to the host all the same.
        w.Str("gpu").Global("torch._utils", "_rebuild_tensor_v2").Mark();
        w.Mark().Str("storage").Global("torch.cuda", "FloatStorage").Str("1").Str("cuda:0").Int(1).Op(Tuple).Op(PersId);
        Hooks(w.Int(0).Tuple([]).Tuple([])).Op(Tuple).Op(Reduce).Op(SetItems).Stop();
        var bf16 = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(bf16, 0x3FC0); // 1.5
        BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2), 0xC040); // -3
        using var ckpt = Checkpoint.LoadBytes(ImporterFiles.Zip(("archive/data.pkl", w.ToArray()), ("archive/data/0", bf16), ("archive/data/1", BitConverter.GetBytes(7f))), "forms.pth");
        Assert.Equal(new[] { 1.5f, -3f }, ckpt.Tensors["bf"].ToFloat32());
        Assert.Equal(TensorDType.BFloat16, ckpt.Tensors["bf"].DType);
        Assert.Equal(new[] { 7f }, ckpt.Tensors["gpu"].ToFloat32());
    }

    [Fact]
    public void ParameterAndTensorSubclassRebuilds()
    {
        // _rebuild_parameter(tensor, True, OrderedDict()) and
        // _rebuild_from_type_v2(_rebuild_tensor_v2, torch.nn.Parameter, (storage, 1, (1,), (1,), False, OrderedDict()), {}).
        var w = new PickleWriter().Proto().Op((byte)'}').Mark();
        w.Str("p").Global("torch._utils", "_rebuild_parameter").Mark().Tensor("0", TensorDType.Float32, 2, 0, [2], [1]).Op(0x88);
        w.Global("collections", "OrderedDict").Op(EmptyTuple).Op(Reduce).Op(Tuple).Op(Reduce);
        w.Str("sub").Global("torch._tensor", "_rebuild_from_type_v2").Mark().Global("torch._utils", "_rebuild_tensor_v2").Global("torch.nn.parameter", "Parameter").Mark();
        w.Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(2).Op(Tuple).Op(PersId);
        Hooks(w.Int(1).Tuple([1]).Tuple([1])).Op(Tuple).Op((byte)'}').Op(Tuple).Op(Reduce).Op(SetItems).Stop();
        using var ckpt = LoadZip(w.ToArray(), BitConverter.GetBytes(4f).Concat(BitConverter.GetBytes(5f)).ToArray());
        Assert.Equal(new[] { 4f, 5f }, ckpt.Tensors["p"].ToFloat32());
        Assert.Equal(new[] { 5f }, ckpt.Tensors["sub"].ToFloat32());
    }

    [Fact]
    public void Zip64ArchivesRead()
    {
        var bytes = Convert.FromBase64String(TorchExpected.VariantsZip);
        using var src = ByteSource.FromArray("variants.pth", bytes);
        var entries = ZipDirectory.Read(src).Values.OrderBy(e => e.DataOffset)
            .Select(e => (e.Name, bytes.AsSpan((int)e.DataOffset, (int)e.Size).ToArray(), (uint?)null)).ToList();
        var zip64 = ImporterFiles.Zip(entries, zip64: true);
        Assert.Equal(0x06054b50u, BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(zip64.Length - 22)));
        Assert.Equal(0xFFFFFFFFu, BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(zip64.Length - 22 + 16)));
        using var ckpt = Checkpoint.LoadBytes(zip64, "variants64.pth");
        foreach (var (name, dtype, shape, data) in TorchExpected.Variants)
            Assert.True(Convert.FromBase64String(data).AsSpan().SequenceEqual(ckpt.Tensors[name].Data.Span), name);
    }

    [Fact]
    public void LegacyStorageViews()
    {
        // Pre-1.0 legacy form: the storage id names a view (key 'v', elements [2, 5) of root 'root').
        var legacy = new List<byte>();
        legacy.AddRange(new PickleWriter().Proto().Op(0x8a).Op(10).Op(0x6c).Op(0xfc).Op(0x9c).Op(0x46).Op(0xf9).Op(0x20).Op(0x6a).Op(0xa8).Op(0x50).Op(0x19).Stop().ToArray());
        legacy.AddRange(new PickleWriter().Proto().Int(1001).Stop().ToArray());
        legacy.AddRange(new PickleWriter().Proto().Value(new Dictionary<string, object?> { ["little_endian"] = true }).Stop().ToArray());
        var w = new PickleWriter().Proto().Op((byte)'}').Mark().Str("w").Global("torch._utils", "_rebuild_tensor_v2").Mark();
        w.Mark().Str("storage").Global("torch", "FloatStorage").Str("root").Str("cpu").Int(6).Mark().Str("v").Int(2).Int(3).Op(Tuple).Op(Tuple).Op(PersId);
        Hooks(w.Int(0).Tuple([3]).Tuple([1])).Op(Tuple).Op(Reduce).Op(SetItems).Stop();
        legacy.AddRange(w.ToArray());
        legacy.AddRange(new PickleWriter().Proto().Value(new List<object?> { "root" }).Stop().ToArray());
        legacy.AddRange(BitConverter.GetBytes(6L));
        foreach (float f in new[] { 0f, 1f, 2f, 3f, 4f, 5f }) legacy.AddRange(BitConverter.GetBytes(f));
        using var ckpt = Checkpoint.LoadBytes([.. legacy], "old.pth");
        Assert.Equal(CheckpointFormat.PthLegacy, ckpt.Format);
        Assert.Equal(new[] { 2f, 3f, 4f }, ckpt.Tensors["w"].ToFloat32());
    }

    [Fact]
    public void UnsupportedStorageTypesAreNamed()
    {
        var w = new PickleWriter().Proto().Op((byte)'}').Mark().Str("s").Global("torch._utils", "_rebuild_tensor_v2").Mark();
        w.Mark().Str("storage").Global("torch", "ShortStorage").Str("0").Str("cpu").Int(2).Op(Tuple).Op(PersId);
        Hooks(w.Int(0).Tuple([2]).Tuple([1])).Op(Tuple).Op(Reduce).Op(SetItems).Stop();
        var e = Assert.Throws<ImporterException>(() => LoadZip(w.ToArray(), new byte[4]));
        Assert.Contains("forms.pth: entry 'archive/data.pkl', file offset", e.Message);
        Assert.Contains("storage type torch.ShortStorage is not supported", e.Message);
    }
}
