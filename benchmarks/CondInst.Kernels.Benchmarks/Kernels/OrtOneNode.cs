using CondInst.Kernels.Benchmarks.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// A small ONNX model (one node, or the few nodes that express one engine op) in an ONNX Runtime session with its
/// inputs and outputs bound to preallocated buffers, so that <see cref="Run"/> times the kernel and not allocation.
/// </summary>
public sealed class OrtOneNode : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _options = new();
    private readonly string[] _inputNames, _outputNames;
    private readonly OrtValue[] _inputs, _outputs;

    /// <summary>
    /// Builds the session for <paramref name="model"/> with random float inputs of the given shapes; without
    /// <paramref name="spinning"/> its idle intra-op threads sleep instead of spinning (needed when engine runs are
    /// interleaved with its runs in one process: spinning threads would take the cores from the engine's next run).
    /// </summary>
    public OrtOneNode(OnnxModel model, (string Name, long[] Shape)[] inputs, (string Name, long[] Shape)[] outputs, int threads, bool spinning = true)
    {
        using var o = OrtSessions.Options(threads);
        if (!spinning) o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(model.ToBytes(), o);
        _inputNames = inputs.Select(i => i.Name).ToArray();
        _outputNames = outputs.Select(i => i.Name).ToArray();
        var rng = new Random(3);
        _inputs = inputs.Select(i =>
        {
            var data = new float[i.Shape.Aggregate(1L, (a, b) => a * b)];
            for (long k = 0; k < data.LongLength; k++) data[k] = (float)rng.NextDouble() * 2 - 1;
            return OrtValue.CreateTensorValueFromMemory(data, i.Shape);
        }).ToArray();
        _outputs = outputs.Select(x => OrtValue.CreateTensorValueFromMemory(new float[x.Shape.Aggregate(1L, (a, b) => a * b)], x.Shape)).ToArray();
    }

    /// <summary>A single-input, single-output model "x" → "y" built by <paramref name="build"/>.</summary>
    public static OrtOneNode Create(long[] inShape, long[] outShape, Action<OnnxGraphBuilder, string> build, long opset = 17, bool spinning = true)
    {
        var g = new OnnxGraphBuilder("kernel");
        string x = g.Input("x", OnnxType.Float, inShape.Cast<object>().ToArray());
        build(g, x);
        g.Output("y", OnnxType.Float, outShape.Cast<object>().ToArray());
        return new OrtOneNode(g.Build(opset), [("x", inShape)], [("y", outShape)], KernelBackends.OrtThreads, spinning);
    }

    /// <summary>One inference into the bound outputs.</summary>
    public void Run() => _session.Run(_options, _inputNames, _inputs, _outputNames, _outputs);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var v in _inputs.Concat(_outputs)) v.Dispose();
        _session.Dispose();
        _options.Dispose();
    }
}
