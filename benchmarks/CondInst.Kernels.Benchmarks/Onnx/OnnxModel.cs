using System.Runtime.InteropServices;

namespace CondInst.Kernels.Benchmarks.Onnx;

/// <summary>ONNX element types used here (TensorProto.DataType numbers).</summary>
public enum OnnxType
{
    /// <summary>float32.</summary>
    Float = 1,

    /// <summary>uint8.</summary>
    UInt8 = 2,

    /// <summary>int32.</summary>
    Int32 = 6,

    /// <summary>int64.</summary>
    Int64 = 7,
}

/// <summary>A constant tensor (an initializer), stored as little-endian raw bytes in C order.</summary>
/// <param name="Name">Value name in the graph.</param>
/// <param name="Type">Element type.</param>
/// <param name="Dims">Dimensions.</param>
/// <param name="RawData">Element bytes.</param>
public sealed record OnnxTensor(string Name, OnnxType Type, long[] Dims, byte[] RawData)
{
    /// <summary>A float32 tensor holding a copy of <paramref name="data"/>.</summary>
    public static OnnxTensor Float(string name, ReadOnlySpan<float> data, params long[] dims) =>
        Create(name, OnnxType.Float, MemoryMarshal.AsBytes(data).ToArray(), data.Length, dims);

    /// <summary>An int64 tensor holding a copy of <paramref name="data"/>.</summary>
    public static OnnxTensor Int64(string name, ReadOnlySpan<long> data, params long[] dims) =>
        Create(name, OnnxType.Int64, MemoryMarshal.AsBytes(data).ToArray(), data.Length, dims);

    private static OnnxTensor Create(string name, OnnxType type, byte[] raw, int count, long[] dims)
    {
        long n = dims.Aggregate(1L, (a, b) => a * b);
        if (n != count) throw new ArgumentException($"initializer '{name}': dims [{string.Join(", ", dims)}] need {n} values, found {count}");
        return new OnnxTensor(name, type, dims, raw);
    }
}

/// <summary>ONNX attribute kinds (AttributeProto.AttributeType numbers) used here.</summary>
public enum OnnxAttributeKind
{
    /// <summary>One float.</summary>
    Float = 1,

    /// <summary>One int64.</summary>
    Int = 2,

    /// <summary>One string.</summary>
    String = 3,

    /// <summary>A list of floats.</summary>
    Floats = 6,

    /// <summary>A list of int64.</summary>
    Ints = 7,
}

/// <summary>A node attribute; exactly the field matching <see cref="Kind"/> is meaningful.</summary>
/// <param name="Name">Attribute name.</param>
/// <param name="Kind">Which value field is used.</param>
/// <param name="Int">Value of an Int attribute.</param>
/// <param name="FloatValue">Value of a Float attribute.</param>
/// <param name="Text">Value of a String attribute.</param>
/// <param name="Ints">Values of an Ints attribute.</param>
/// <param name="Floats">Values of a Floats attribute.</param>
public sealed record OnnxAttribute(string Name, OnnxAttributeKind Kind, long Int = 0, float FloatValue = 0, string? Text = null, long[]? Ints = null, float[]? Floats = null)
{
    /// <summary>An int attribute.</summary>
    public static OnnxAttribute Of(string name, long value) => new(name, OnnxAttributeKind.Int, Int: value);

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Of(string name, float value) => new(name, OnnxAttributeKind.Float, FloatValue: value);

    /// <summary>A string attribute.</summary>
    public static OnnxAttribute Of(string name, string value) => new(name, OnnxAttributeKind.String, Text: value);

    /// <summary>An ints attribute.</summary>
    public static OnnxAttribute Of(string name, params long[] values) => new(name, OnnxAttributeKind.Ints, Ints: values);
}

/// <summary>One operator application.</summary>
/// <param name="OpType">Operator name in the default domain (e.g. Conv).</param>
/// <param name="Inputs">Input value names; an empty string is an omitted optional input.</param>
/// <param name="Outputs">Output value names.</param>
/// <param name="Name">Node name (unique, for error messages and profiling).</param>
/// <param name="Attributes">Attributes.</param>
public sealed record OnnxNode(string OpType, string[] Inputs, string[] Outputs, string Name, OnnxAttribute[] Attributes);

/// <summary>A graph input or output: a tensor with element type and shape; a dimension is a size or a symbolic name.</summary>
/// <param name="Name">Value name.</param>
/// <param name="Type">Element type.</param>
/// <param name="Dims">Per dimension a long (fixed size) or a string (symbolic).</param>
public sealed record OnnxValueInfo(string Name, OnnxType Type, object[] Dims);

/// <summary>A computation graph: nodes in topological order, constants, inputs and outputs.</summary>
public sealed class OnnxGraph
{
    /// <summary>Graph name.</summary>
    public string Name { get; init; } = "graph";

    /// <summary>Nodes, topologically sorted.</summary>
    public List<OnnxNode> Nodes { get; } = [];

    /// <summary>Constant tensors.</summary>
    public List<OnnxTensor> Initializers { get; } = [];

    /// <summary>Graph inputs (initializers are not listed here).</summary>
    public List<OnnxValueInfo> Inputs { get; } = [];

    /// <summary>Graph outputs.</summary>
    public List<OnnxValueInfo> Outputs { get; } = [];
}

/// <summary>An ONNX model: one graph in the default operator set at <see cref="Opset"/>.</summary>
public sealed class OnnxModel
{
    /// <summary>IR version 8 (ONNX 1.10+) is what opset 17 pairs with.</summary>
    public const long IrVersion = 8;

    /// <summary>Creates a model around <paramref name="graph"/>.</summary>
    public OnnxModel(OnnxGraph graph, long opset = 17)
    {
        Graph = graph;
        Opset = opset;
    }

    /// <summary>The graph.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>Default-domain operator set version.</summary>
    public long Opset { get; }

    /// <summary>The serialized ModelProto.</summary>
    public byte[] ToBytes()
    {
        var w = new ProtoWriter();
        // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8.
        w.Int64(1, IrVersion);
        w.String(2, "CondInst.Kernels.Benchmarks");
        w.Message(7, WriteGraph);
        w.Message(8, o =>
        {
            // OperatorSetIdProto: domain = 1 (empty = ai.onnx, omitted), version = 2.
            o.Int64(2, Opset);
        });
        return w.WrittenSpan.ToArray();
    }

    private void WriteGraph(ProtoWriter w)
    {
        // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
        foreach (var n in Graph.Nodes) w.Message(1, m => WriteNode(m, n));
        w.String(2, Graph.Name);
        foreach (var t in Graph.Initializers) w.Message(5, m => WriteTensor(m, t));
        foreach (var v in Graph.Inputs) w.Message(11, m => WriteValueInfo(m, v));
        foreach (var v in Graph.Outputs) w.Message(12, m => WriteValueInfo(m, v));
    }

    private static void WriteNode(ProtoWriter w, OnnxNode n)
    {
        // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
        foreach (var i in n.Inputs) w.String(1, i);
        foreach (var o in n.Outputs) w.String(2, o);
        w.String(3, n.Name);
        w.String(4, n.OpType);
        foreach (var a in n.Attributes) w.Message(5, m => WriteAttribute(m, a));
    }

    private static void WriteAttribute(ProtoWriter w, OnnxAttribute a)
    {
        // AttributeProto: name = 1, f = 2, i = 3, s = 4, floats = 7, ints = 8, type = 20.
        w.String(1, a.Name);
        switch (a.Kind)
        {
            case OnnxAttributeKind.Float: w.Float(2, a.FloatValue); break;
            case OnnxAttributeKind.Int: w.Int64(3, a.Int); break;
            case OnnxAttributeKind.String: w.String(4, a.Text ?? ""); break;
            case OnnxAttributeKind.Floats: w.PackedFloat(7, a.Floats ?? []); break;
            case OnnxAttributeKind.Ints: w.PackedInt64(8, a.Ints ?? []); break;
            default: throw new ArgumentException($"attribute '{a.Name}': kind {a.Kind} is not supported by this writer");
        }
        w.Int64(20, (long)a.Kind);
    }

    private static void WriteTensor(ProtoWriter w, OnnxTensor t)
    {
        // TensorProto: dims = 1 (packed), data_type = 2, name = 8, raw_data = 9.
        w.PackedInt64(1, t.Dims);
        w.Int64(2, (long)t.Type);
        w.String(8, t.Name);
        w.Bytes(9, t.RawData);
    }

    private static void WriteValueInfo(ProtoWriter w, OnnxValueInfo v)
    {
        // ValueInfoProto: name = 1, type = 2 → TypeProto.tensor_type = 1 → elem_type = 1, shape = 2
        // → TensorShapeProto.dim = 1 → Dimension.dim_value = 1 | dim_param = 2.
        w.String(1, v.Name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int64(1, (long)v.Type);
            tensor.Message(2, shape =>
            {
                foreach (var d in v.Dims)
                    shape.Message(1, dim =>
                    {
                        switch (d)
                        {
                            case string s: dim.String(2, s); break;
                            case long n: dim.Int64(1, n); break;
                            case int n: dim.Int64(1, n); break;
                            default: throw new ArgumentException($"value '{v.Name}': dimension {d} must be a size or a symbolic name");
                        }
                    });
            });
        }));
    }
}
