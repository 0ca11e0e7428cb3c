using CondInst.Kernels.Model;
using Microsoft.ML.OnnxRuntime;

namespace CondInst.Kernels.Benchmarks.Onnx;

/// <summary>
/// The convolutional body run by ONNX Runtime's CPU execution provider on the graph of <see cref="CondInstOnnx"/>,
/// handing its outputs to the engine as tensors of the model's (host) backend, so that the engine's own
/// pre- and post-processing run around it. Timed as one stage, "body" (the run plus the copies in and out).
/// </summary>
internal sealed class OrtBody : IConvolutionalBody
{
    private readonly IBackend _backend;
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private float[] _input = [];

    public OrtBody(IBackend backend, WeightSet weights, CondInstArchitecture arch, int threads)
    {
        _backend = backend;
        var bytes = CondInstOnnx.Build(weights, arch).ToBytes();
        using var options = OrtSessions.Options(threads);
        _session = new InferenceSession(bytes, options);
    }

    /// <summary>ONNX Runtime's version string.</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    public NetworkOutputs Forward(Tensor input, IStageObserver observer) => Forward(input, observer, consumeInput: false);

    public NetworkOutputs Forward(Tensor input, IStageObserver observer, bool consumeInput)
    {
        long[] shape;
        try
        {
            if (_input.Length != input.Length) _input = new float[input.Length];
            _backend.Download<float>(input, _input);
            shape = input.Shape.ToArray().Select(d => (long)d).ToArray();
        }
        finally
        {
            if (consumeInput) input.Dispose();
        }
        using var x = OrtValue.CreateTensorValueFromMemory(_input, shape);
        using var results = _session.Run(_run, [CondInstOnnx.InputName], [x], CondInstOnnx.OutputNames);
        var tensors = new List<Tensor>(results.Count);
        try
        {
            foreach (var r in results)
            {
                var dims = r.GetTensorTypeAndShape().Shape.Select(d => checked((int)d)).ToArray();
                tensors.Add(_backend.Upload<float>(r.GetTensorDataAsSpan<float>(), dims));
            }
        }
        catch
        {
            foreach (var t in tensors) t.Dispose();
            throw;
        }
        var levels = new LevelOutputs[5];
        for (int l = 0; l < 5; l++) levels[l] = new LevelOutputs(tensors[4 * l], tensors[4 * l + 1], tensors[4 * l + 2], tensors[4 * l + 3]);
        for (int l = 0; l < 5; l++)
        {
            observer.Tensor($"head_cls_score_l{l}", levels[l].ClsScore);
            observer.Tensor($"head_bbox_pred_l{l}", levels[l].BboxPred);
            observer.Tensor($"head_centerness_l{l}", levels[l].Centerness);
            observer.Tensor($"head_param_pred_l{l}", levels[l].ParamPred);
        }
        observer.Tensor("mask_feat", tensors[20]);
        observer.StageDone("body");
        return new NetworkOutputs(levels, tensors[20]);
    }

    public void Dispose()
    {
        _session.Dispose();
        _run.Dispose();
    }
}

/// <summary>ONNX Runtime session settings shared by the body and the one-node kernel peers.</summary>
public static class OrtSessions
{
    /// <summary>
    /// CPU execution provider, all graph optimisations (constant folding, Conv+Add+ReLU fusion, NCHWc layouts),
    /// <paramref name="threads"/> intra-op threads and sequential execution: the same core budget as the engine.
    /// </summary>
    public static SessionOptions Options(int threads)
    {
        var o = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        return o;
    }
}
