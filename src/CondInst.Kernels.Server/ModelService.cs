using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CondInst.Kernels.Server;

/// <summary>
/// The model behind both protocols: loads it in the background (the server is live before it is ready), checks
/// model names and versions, decodes images on the caller's thread and sends them through the queue.
/// </summary>
internal sealed class ModelService : IAsyncDisposable
{
    /// <summary>The one model version served.</summary>
    public const string Version = "1";

    /// <summary>Reported as the model's platform in its metadata.</summary>
    public const string Platform = "condinst-kernels";

    private readonly ServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _log;
    private readonly Func<ModelAdapter, IBatchPredictor>? _wrap;
    private ModelAdapter? _model;
    private InferenceQueue? _queue;

    public ModelService(ServerOptions options, ServerMetrics metrics, ILogger log, Func<ModelAdapter, IBatchPredictor>? wrap)
    {
        _options = options;
        _metrics = metrics;
        _log = log;
        _wrap = wrap;
    }

    /// <summary>The model's name in the protocol.</summary>
    public string Name => _options.ModelName;

    /// <summary>True once the model is loaded and warmed up.</summary>
    public bool Ready => Volatile.Read(ref _queue) is not null;

    /// <summary>Loads and warms up the model; the server is ready when this finishes.</summary>
    public void Load()
    {
        var clock = Stopwatch.StartNew();
        var model = ModelAdapter.Load(_options.Weights, _options.Device, w => _log.LogWarning("{Warning}", w));
        model.WarmUp();
        _model = model;
        Volatile.Write(ref _queue, new InferenceQueue(_wrap?.Invoke(model) ?? model, _metrics, _options.QueueCapacity, _options.MaxBatch, _options.MaxDelayMs));
        _log.LogInformation("model {Model} loaded from {Weights} on {Device} in {Ms} ms; ready", Name, _options.Weights, model.Device, clock.ElapsedMilliseconds);
    }

    /// <summary>Throws 404 / NOT_FOUND unless <paramref name="name"/> (and <paramref name="version"/>, when given) is this model.</summary>
    public void Check(string name, string? version)
    {
        if (name != Name) throw ServeException.NotFound($"model '{name}' is not served here; the model is '{Name}'");
        if (!string.IsNullOrEmpty(version) && version != Version)
            throw ServeException.NotFound($"model '{name}' has no version '{version}'; its version is '{Version}'");
    }

    /// <summary>Runs an inference request: decode, queue, model, filter, output tensors.</summary>
    public async Task<IReadOnlyList<OutputTensor>> InferAsync(InferCall call, CancellationToken aborted)
    {
        OipTensors.CheckRequestedOutputs(call.Outputs);
        var results = await SegmentAsync(call.Images, aborted).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var outputs = OipTensors.ToOutputs([.. results.Select(r => r.Result.Filter(call.ScoreThreshold, call.MaxDetections))], call.Outputs);
        _metrics.Stage("encode", clock.Elapsed.TotalSeconds);
        return outputs;
    }

    /// <summary>Decodes and segments images; each result comes with its decoded image (for overlays).</summary>
    public async Task<IReadOnlyList<(PreparedImage Image, Segmentation Result)>> SegmentAsync(IReadOnlyList<ImageInput> inputs, CancellationToken aborted)
    {
        var queue = Volatile.Read(ref _queue) ?? throw ServeException.Unavailable($"model '{Name}' is not ready yet (loading)");
        var clock = Stopwatch.StartNew();
        var images = new PreparedImage[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            string name = inputs.Count == 1 ? OipTensors.Image : $"{OipTensors.Image}[{i}]";
            images[i] = input.Encoded is { } bytes ? ModelAdapter.Decode(bytes, name) : ModelAdapter.FromRgb(input.Rgb!, input.Width, input.Height, name);
        }
        _metrics.Stage("decode", clock.Elapsed.TotalSeconds);
        var results = await queue.RunAsync(images, TimeSpan.FromMilliseconds(_options.RequestTimeoutMs), aborted).ConfigureAwait(false);
        return [.. images.Zip(results)];
    }

    /// <summary>The COCO results JSON of one image (see <see cref="ModelAdapter.ResultsJson"/>).</summary>
    public static byte[] ResultsJson(Segmentation s, string fileName) => ModelAdapter.ResultsJson(s, fileName);

    /// <summary>Finishes the queued requests, then frees the model.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_queue is { } q) await q.DisposeAsync().ConfigureAwait(false);
        _model?.Dispose();
    }
}
