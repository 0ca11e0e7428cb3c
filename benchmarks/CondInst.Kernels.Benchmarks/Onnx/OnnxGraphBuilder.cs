namespace CondInst.Kernels.Benchmarks.Onnx;

/// <summary>
/// Builds an <see cref="OnnxGraph"/> node by node, naming values as it goes (t0, t1, …; constants c0, c1, …),
/// with helpers for the few layers CondInst needs. Inputs and outputs of every node are value names.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly OnnxGraph _graph;
    private int _values;
    private int _constants;

    /// <summary>Starts an empty graph named <paramref name="name"/>.</summary>
    public OnnxGraphBuilder(string name = "graph") => _graph = new OnnxGraph { Name = name };

    /// <summary>The graph built so far.</summary>
    public OnnxGraph Graph => _graph;

    /// <summary>The model around the graph, at operator set <paramref name="opset"/>.</summary>
    public OnnxModel Build(long opset = 17) => new(_graph, opset);

    /// <summary>Declares a graph input; each dimension is a size (int/long) or a symbolic name (string).</summary>
    public string Input(string name, OnnxType type, params object[] dims)
    {
        _graph.Inputs.Add(new OnnxValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares value <paramref name="name"/> (a node output) as a graph output.</summary>
    public void Output(string name, OnnxType type, params object[] dims) => _graph.Outputs.Add(new OnnxValueInfo(name, type, dims));

    /// <summary>A float32 constant.</summary>
    public string Constant(ReadOnlySpan<float> data, params long[] dims)
    {
        var t = OnnxTensor.Float($"c{_constants++}", data, dims);
        _graph.Initializers.Add(t);
        return t.Name;
    }

    /// <summary>An int64 constant.</summary>
    public string Constant(ReadOnlySpan<long> data, params long[] dims)
    {
        var t = OnnxTensor.Int64($"c{_constants++}", data, dims);
        _graph.Initializers.Add(t);
        return t.Name;
    }

    /// <summary>A float32 scalar constant (rank 0), for broadcasting.</summary>
    public string Scalar(float value) => Constant([value]);

    /// <summary>Adds a one-output node and returns its output name (<paramref name="output"/> or a fresh one).</summary>
    public string Node(string opType, string[] inputs, string? output = null, params OnnxAttribute[] attributes)
    {
        string y = output ?? $"t{_values++}";
        _graph.Nodes.Add(new OnnxNode(opType, inputs, [y], $"n{_graph.Nodes.Count}_{opType}", attributes));
        return y;
    }

    /// <summary>Conv over constants made here from <paramref name="weight"/> ([out, in/groups, kh, kw]) and <paramref name="bias"/> (may be empty).</summary>
    public string Conv(string x, in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, string? output = null)
    {
        var (w, b) = ConvConstants(spec, weight, bias);
        return Conv(x, spec, w, b, output);
    }

    /// <summary>The weight and (or null) bias constants of a convolution, checked against <paramref name="spec"/>.</summary>
    public (string Weight, string? Bias) ConvConstants(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias)
    {
        spec.Validate();
        if (weight.Length != spec.WeightCount)
            throw new ArgumentException($"Conv {spec}: weight has {weight.Length} values, expected {spec.WeightCount}");
        if (bias.Length != 0 && bias.Length != spec.OutChannels)
            throw new ArgumentException($"Conv {spec}: bias has {bias.Length} values, expected {spec.OutChannels} or none");
        string w = Constant(weight, spec.OutChannels, spec.InChannels / spec.Groups, spec.KernelH, spec.KernelW);
        return (w, bias.Length == 0 ? null : Constant(bias, spec.OutChannels));
    }

    /// <summary>Conv of <paramref name="spec"/>'s geometry over existing weight and bias constants (shared between nodes).</summary>
    public string Conv(string x, in ConvSpec spec, string weight, string? bias, string? output = null) =>
        Node("Conv", bias is null ? [x, weight] : [x, weight, bias], output,
            OnnxAttribute.Of("kernel_shape", spec.KernelH, spec.KernelW),
            OnnxAttribute.Of("strides", spec.StrideH, spec.StrideW),
            OnnxAttribute.Of("pads", spec.PadH, spec.PadW, spec.PadH, spec.PadW),
            OnnxAttribute.Of("dilations", spec.DilationH, spec.DilationW),
            OnnxAttribute.Of("group", (long)spec.Groups));

    /// <summary>max(x, 0).</summary>
    public string Relu(string x, string? output = null) => Node("Relu", [x], output);

    /// <summary>a + b (broadcasting).</summary>
    public string Add(string a, string b, string? output = null) => Node("Add", [a, b], output);

    /// <summary>a · b (broadcasting).</summary>
    public string Mul(string a, string b, string? output = null) => Node("Mul", [a, b], output);

    /// <summary>The shape of x as an int64 vector.</summary>
    public string Shape(string x) => Node("Shape", [x]);

    /// <summary>MaxPool with a square window; padded positions never win (ONNX pads with -inf).</summary>
    public string MaxPool(string x, int kernel, int stride, int padding, string? output = null) =>
        Node("MaxPool", [x], output,
            OnnxAttribute.Of("kernel_shape", kernel, kernel),
            OnnxAttribute.Of("strides", stride, stride),
            OnnxAttribute.Of("pads", padding, padding, padding, padding));

    /// <summary>
    /// GroupNorm (+ ReLU) expressed with opset-17 operators ORT runs natively: reshape [N, C, H, W] to [N, G, C/G·H·W],
    /// InstanceNormalization with unit scale and zero bias (mean and biased variance per image and group), reshape
    /// back to <paramref name="shapeOfX"/> (the value name of Shape(x)), then the per-channel affine γ, β.
    /// </summary>
    public string GroupNorm(string x, string shapeOfX, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, int groups, float eps, bool relu, string? output = null)
    {
        int c = gamma.Length;
        if (beta.Length != c || c % groups != 0)
            throw new ArgumentException($"GroupNorm: gamma {gamma.Length} / beta {beta.Length} channels must match and divide into {groups} groups");
        string grouped = Node("Reshape", [x, Constant([0L, groups, -1], 3)]);
        var ones = new float[groups];
        Array.Fill(ones, 1f);
        string normed = Node("InstanceNormalization", [grouped, Constant(ones, groups), Constant(new float[groups], groups)], null,
            OnnxAttribute.Of("epsilon", eps));
        string back = Node("Reshape", [normed, shapeOfX]);
        string scaled = Mul(back, Constant(gamma, c, 1, 1));
        return relu ? Relu(Add(scaled, Constant(beta, c, 1, 1)), output) : Add(scaled, Constant(beta, c, 1, 1), output);
    }

    /// <summary>
    /// PyTorch's legacy nearest resize to <paramref name="sizes"/> (int64 [N, C, H, W] value): ONNX Resize with
    /// asymmetric coordinates and floor rounding gives src = floor(dst · in / out).
    /// </summary>
    public string UpsampleNearest(string x, string sizes, string? output = null) =>
        Node("Resize", [x, "", "", sizes], output,
            OnnxAttribute.Of("mode", "nearest"),
            OnnxAttribute.Of("coordinate_transformation_mode", "asymmetric"),
            OnnxAttribute.Of("nearest_mode", "floor"));

    /// <summary>Bilinear resize to <paramref name="sizes"/>, align_corners true (src = dst · (in − 1)/(out − 1)) or half-pixel.</summary>
    public string ResizeLinear(string x, string sizes, bool alignCorners, string? output = null) =>
        Node("Resize", [x, "", "", sizes], output,
            OnnxAttribute.Of("mode", "linear"),
            OnnxAttribute.Of("coordinate_transformation_mode", alignCorners ? "align_corners" : "half_pixel"));

    /// <summary>
    /// CondInst's aligned_bilinear by integer <paramref name="factor"/> as its four steps: edge-pad one row and column
    /// at the bottom/right, bilinear with align_corners to (f·h + 1, f·w + 1) — <paramref name="sizesPlusOne"/>, an
    /// int64 [N, C, f·h + 1, f·w + 1] value —, edge-pad f/2 at the top/left, and keep the first f·h rows and f·w columns.
    /// </summary>
    public string AlignedBilinear(string x, int factor, string sizesPlusOne, string? output = null)
    {
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), factor, "aligned_bilinear needs a factor ≥ 1");
        if (factor == 1) return Node("Identity", [x], output);
        var edge = OnnxAttribute.Of("mode", "edge");
        string padded = Node("Pad", [x, Constant([0L, 0, 0, 0, 0, 0, 1, 1], 8)], null, edge);
        string up = ResizeLinear(padded, sizesPlusOne, alignCorners: true);
        int half = factor / 2;
        string shifted = Node("Pad", [up, Constant([0L, 0, half, half, 0, 0, 0, 0], 8)], null, edge);
        // f·h + 1 + f/2 rows now; the wanted f·h end 1 + f/2 before the last.
        return Node("Slice", [shifted, Constant([0L, 0], 2), Constant([-(1L + half), -(1L + half)], 2), Constant([2L, 3], 2)], output);
    }
}
