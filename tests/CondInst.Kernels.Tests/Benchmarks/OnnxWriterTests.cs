using CondInst.Kernels.Benchmarks.Onnx;
using CondInst.Kernels.Tests.Harness;
using CondInst.Kernels.Tests.Reference;
using Microsoft.ML.OnnxRuntime;

namespace CondInst.Kernels.Tests.Benchmarks;

/// <summary>The benchmarks' own ONNX writer: exact wire bytes, the model's structure, and ONNX Runtime computing what the reference computes.</summary>
public sealed class OnnxWriterTests
{
    [Fact]
    public void WireEncodingMatchesTheProtobufRules()
    {
        static byte[] Bytes(Action<ProtoWriter> write)
        {
            var w = new ProtoWriter();
            write(w);
            return w.WrittenSpan.ToArray();
        }
        // Field 1 varint 150: key 0x08, then 0x96 0x01 (the protobuf documentation's example).
        Assert.Equal(new byte[] { 0x08, 0x96, 0x01 }, Bytes(w => w.Int64(1, 150)));
        // Negative int64: ten bytes, two's complement.
        Assert.Equal(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, Bytes(w => w.Int64(2, -1)));
        // Fixed32 float 1.0 in field 2: key 0x15, then 0x3F800000 little-endian.
        Assert.Equal(new byte[] { 0x15, 0x00, 0x00, 0x80, 0x3F }, Bytes(w => w.Float(2, 1f)));
        Assert.Equal(new byte[] { 0x12, 0x02, (byte)'a', (byte)'b' }, Bytes(w => w.String(2, "ab")));
        // Packed int64 [3, 270]: length 3 = 0x03 | 0x8E 0x02.
        Assert.Equal(new byte[] { 0x0A, 0x03, 0x03, 0x8E, 0x02 }, Bytes(w => w.PackedInt64(1, [3, 270])));
        // Field 20 needs a two-byte key: (20 << 3) | 0 = 160 = 0xA0 0x01.
        Assert.Equal(new byte[] { 0xA0, 0x01, 0x07 }, Bytes(w => w.Int64(20, 7)));
        Assert.Equal(new byte[] { 0x3A, 0x02, 0x08, 0x05 }, Bytes(w => w.Message(7, m => m.Int64(1, 5))));
    }

    [Fact]
    public void ModelBytesHaveTheOnnxStructure()
    {
        var (model, _) = ConvModel(new ConvSpec(3, 4, 3, 3, 2, 2, 1, 1), new Random(1));
        var m = new ProtoReader(model.ToBytes());
        Assert.Equal(8ul, m.One(1).Varint); // ir_version
        var opset = m.One(8).Message;
        Assert.Empty(opset.All(1)); // default domain
        Assert.Equal(17ul, opset.One(2).Varint);
        var graph = m.One(7).Message;
        var node = graph.One(1).Message;
        Assert.Equal(new[] { "x", "c0", "c1" }, node.All(1).Select(f => f.Text));
        Assert.Equal("y", node.One(2).Text);
        Assert.Equal("Conv", node.One(4).Text);
        var attrs = node.All(5).Select(f => f.Message).ToDictionary(a => a.One(1).Text);
        Assert.Equal(new long[] { 3, 3 }, attrs["kernel_shape"].One(8).PackedVarints());
        Assert.Equal(7ul, attrs["kernel_shape"].One(20).Varint); // INTS
        Assert.Equal(new long[] { 2, 2 }, attrs["strides"].One(8).PackedVarints());
        Assert.Equal(new long[] { 1, 1, 1, 1 }, attrs["pads"].One(8).PackedVarints());
        Assert.Equal(1ul, attrs["group"].One(3).Varint);
        Assert.Equal(2ul, attrs["group"].One(20).Varint); // INT
        var inits = graph.All(5).Select(f => f.Message).ToList();
        Assert.Equal(2, inits.Count);
        Assert.Equal(new long[] { 4, 3, 3, 3 }, inits[0].One(1).PackedVarints());
        Assert.Equal(1ul, inits[0].One(2).Varint); // FLOAT
        Assert.Equal("c0", inits[0].One(8).Text);
        Assert.Equal(4 * 108, inits[0].One(9).Bytes.Length);
        var input = graph.One(11).Message;
        Assert.Equal("x", input.One(1).Text);
        var tensorType = input.One(2).Message.One(1).Message;
        Assert.Equal(1ul, tensorType.One(1).Varint);
        var dims = tensorType.One(2).Message.All(1).Select(f => f.Message).ToList();
        Assert.Equal("N", dims[0].One(2).Text);
        Assert.Equal(new ulong[] { 3, 9, 11 }, dims.Skip(1).Select(d => d.One(1).Varint));
    }

    [Theory]
    [InlineData(3, 8, 3, 2, 1, 1)]
    [InlineData(8, 6, 1, 1, 0, 1)]
    [InlineData(4, 4, 3, 1, 2, 2)]
    public void OnnxRuntimeRunsAOneNodeConvAsTheReferenceComputesIt(int inC, int outC, int k, int stride, int pad, int groups)
    {
        var spec = new ConvSpec(inC, outC, k, k, stride, stride, pad, pad, Groups: groups);
        var rng = new Random(7);
        var (model, (weight, bias)) = ConvModel(spec, rng);
        var x = RandomData.Floats(rng, 2 * inC * 9 * 11);
        using var session = new InferenceSession(model.ToBytes(), OrtSessions.Options(1));
        using var input = OrtValue.CreateTensorValueFromMemory(x, [2, inC, 9, 11]);
        using var outputs = session.Run(new RunOptions(), ["x"], [input], ["y"]);
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(new long[] { 2, outC, spec.OutH(9), spec.OutW(11) }, outputs[0].GetTensorTypeAndShape().Shape);

        using var r = new ReferenceBackend();
        using var conv = r.PrepareConv(spec, weight, bias, []);
        using var xt = r.Upload<float>(x, 2, inC, 9, 11);
        using var yt = r.Allocate(DType.Float32, 2, outC, spec.OutH(9), spec.OutW(11));
        r.Conv2d(conv, xt, yt);
        var expected = new float[yt.Length];
        r.Download<float>(yt, expected);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 + 1e-5 * Math.Abs(expected[i]), $"element {i}: reference {expected[i]}, ONNX Runtime {actual[i]}");
    }

    [Fact]
    public void BadInitializerSizesAreRefusedWithTheirName()
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxTensor.Float("w", new float[5], 2, 3));
        Assert.Contains("'w'", e.Message);
        var g = new OnnxGraphBuilder();
        var c = Assert.Throws<ArgumentException>(() => g.Conv("x", new ConvSpec(3, 4, 3, 3), new float[10], []));
        Assert.Contains("expected 108", c.Message);
    }

    private static (OnnxModel, (float[] Weight, float[] Bias)) ConvModel(ConvSpec spec, Random rng)
    {
        var weight = RandomData.Floats(rng, spec.WeightCount);
        var bias = RandomData.Floats(rng, spec.OutChannels);
        var g = new OnnxGraphBuilder("one_conv");
        string x = g.Input("x", OnnxType.Float, "N", spec.InChannels, 9, 11);
        g.Conv(x, spec, weight, bias, "y");
        g.Output("y", OnnxType.Float, "N", spec.OutChannels, spec.OutH(9), spec.OutW(11));
        return (g.Build(), (weight, bias));
    }
}
