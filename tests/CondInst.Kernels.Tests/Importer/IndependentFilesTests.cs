using System.Buffers.Binary;
using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Tests.Importer;

/// <summary>
/// Checkpoints written by other tools (Fixtures/independent/make_independent.py): torch.save with pickle protocols
/// 2, 4 and 5 (zip and legacy), a module's state dict with shared storages, and a safetensors file written from the
/// format's description with numpy. Values follow the script's formulas, recomputed here.
/// </summary>
public sealed class IndependentFilesTests
{
    private static string File(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "independent", name);

    // The script's formulas: floats (i % 17)·0.25 − 2, integers 3i − 7, bools i % 3 == 0 (i = C-order index).
    private static double FloatAt(long i) => i % 17 * 0.25 - 2;

    private static long IntAt(long i) => i * 3 - 7;

    private static void AssertFloats(CheckpointTensor t, int[] shape, double scale = 1)
    {
        Assert.Equal(shape, t.Shape);
        var v = t.ToFloat32();
        Assert.Equal(shape.Aggregate(1, (a, b) => a * b), v.Length);
        for (int i = 0; i < v.Length; i++) Assert.Equal(FloatAt(i) * scale, v[i]);
    }

    private static void AssertInts(CheckpointTensor t, int[] shape)
    {
        Assert.Equal(shape, t.Shape);
        int size = t.DType.Size();
        var bytes = t.Data.Span;
        for (int i = 0; i < t.ElementCount; i++)
        {
            long v = size switch
            {
                8 => BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]),
                4 => BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]),
                _ => t.DType == TensorDType.UInt8 ? bytes[i] : (sbyte)bytes[i],
            };
            Assert.Equal(t.DType == TensorDType.UInt8 ? ((IntAt(i) % 256) + 256) % 256 : IntAt(i), v);
        }
    }

    [Theory]
    [InlineData("proto2.pth", CheckpointFormat.PthZip)]
    [InlineData("proto4.pth", CheckpointFormat.PthZip)]
    [InlineData("proto5.pth", CheckpointFormat.PthZip)]
    [InlineData("proto4_legacy.pth", CheckpointFormat.PthLegacy)]
    public void ReadsTorchSaveWithEveryPickleProtocol(string name, CheckpointFormat format)
    {
        using var ckpt = Checkpoint.Load(File(name));
        Assert.Equal(format, ckpt.Format);
        AssertFloats(ckpt.Tensors["w_f32"], [4, 3, 2]);
        AssertFloats(ckpt.Tensors["w_f16"], [5]);
        AssertFloats(ckpt.Tensors["w_bf16"], [2, 3]);
        AssertFloats(ckpt.Tensors["w_f64"], [3]);
        AssertFloats(ckpt.Tensors["scalar"], []);
        AssertFloats(ckpt.Tensors["empty"], [0, 3]);
        Assert.Equal(TensorDType.Int64, ckpt.Tensors["w_i64"].DType);
        AssertInts(ckpt.Tensors["w_i64"], [2, 2]);
        Assert.Equal([1, 0, 0, 1], ckpt.Tensors["w_bool"].Data.ToArray());

        // Integers of 2^31 and more stay exact integers (LONG1), not doubles.
        Assert.Equal(1L << 31, Assert.IsType<long>(ckpt.Meta["int31"]));
        Assert.Equal(1L << 40, Assert.IsType<long>(ckpt.Meta["int40"]));
        Assert.Equal(-(1L << 33), Assert.IsType<long>(ckpt.Meta["neg33"]));
        Assert.Equal(long.MaxValue, Assert.IsType<long>(ckpt.Meta["int63"]));
        Assert.Equal(7L, ckpt.Meta["small"]);
        Assert.Equal(new TestSettings(640, 480, 0.25f, 500, 0.6f, 20, 0.5f,
            "checkpoint meta config (defaults for iou_threshold, mask_thr)"), ckpt.Settings);
    }

    [Fact]
    public void ReadsAModuleStateDictWithSharedStorages()
    {
        using var ckpt = Checkpoint.Load(File("shared_state_dict.pth"));
        AssertFloats(ckpt.Tensors["base"], [20]);
        AssertFloats(ckpt.Tensors["a.weight"], [4, 3]);
        AssertFloats(ckpt.Tensors["b.weight"], [4, 3]); // tied to a.weight: the same storage
        AssertFloats(ckpt.Tensors["a.bias"], [4]);
        AssertFloats(ckpt.Tensors["b.bias"], [4], scale: 2);
        // base[5:11].view(2, 3): storage offset 5.
        Assert.Equal(Enumerable.Range(5, 6).Select(i => (float)FloatAt(i)), ckpt.Tensors["slice"].ToFloat32());
        // base[:12].view(3, 4).t(): shape [4, 3], strides (1, 4), read in C order.
        var t = ckpt.Tensors["transposed"];
        Assert.Equal([4, 3], t.Shape);
        var expected = new float[12];
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 3; c++) expected[3 * r + c] = (float)FloatAt(4 * c + r);
        Assert.Equal(expected, t.ToFloat32());
    }

    [Fact]
    public void ReadsSafetensorsWrittenFromTheSpecification()
    {
        using var ckpt = Checkpoint.Load(File("independent.safetensors"));
        Assert.Equal(CheckpointFormat.Safetensors, ckpt.Format);
        AssertFloats(ckpt.Tensors["t_f32"], [2, 3, 4]);
        AssertFloats(ckpt.Tensors["t_f16"], [7]);
        AssertFloats(ckpt.Tensors["t_bf16"], [3, 2]);
        AssertFloats(ckpt.Tensors["t_f64"], [2]);
        AssertFloats(ckpt.Tensors["scalar"], []);
        AssertFloats(ckpt.Tensors["empty"], [0, 5]);
        AssertInts(ckpt.Tensors["t_i64"], [3]);
        AssertInts(ckpt.Tensors["t_i32"], [2, 2]);
        AssertInts(ckpt.Tensors["t_i8"], [5]);
        AssertInts(ckpt.Tensors["t_u8"], [6]);
        Assert.Equal([1, 0, 0, 1], ckpt.Tensors["t_bool"].Data.ToArray());
        Assert.Equal("written by make_independent.py from the format description", ckpt.Meta["note"]);
    }
}
