using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Model;

/// <summary>
/// A CondInst model on one device: load it once, then call <see cref="Predict(ReadOnlySpan{byte}, int, int, string, IStageObserver?)"/>
/// per image. Predictions on one model are serialised by a lock (the backend and its memory pool are not
/// thread-safe), so calling from several threads is safe; for parallel throughput load one model per device.
/// </summary>
public sealed class CondInstModel : IDisposable
{
    private readonly object _gate = new();
    private readonly IConvolutionalBody _network;
    private readonly bool _ownsBackend;
    private bool _disposed;

    private CondInstModel(IBackend backend, bool ownsBackend, WeightSet weights, CondInstArchitecture arch, TestSettings settings, IReadOnlyList<string> classNames,
        Func<IBackend, WeightSet, CondInstArchitecture, IConvolutionalBody>? body = null)
    {
        if (classNames.Count != arch.NumClasses)
            throw new ArgumentException($"{classNames.Count} class names given for a model with {arch.NumClasses} classes");
        Backend = backend;
        _ownsBackend = ownsBackend;
        Architecture = arch;
        Settings = settings;
        ClassNames = classNames;
        _network = body?.Invoke(backend, weights, arch) ?? new CondInstNetwork(backend, weights, arch);
    }

    /// <summary>The device the model runs on.</summary>
    public IBackend Backend { get; }

    /// <summary>The sizes inferred from the weights.</summary>
    public CondInstArchitecture Architecture { get; }

    /// <summary>Test-time settings in use and where they came from.</summary>
    public TestSettings Settings { get; }

    /// <summary>Problems found while loading that did not stop it (e.g. a checksum mismatch).</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>Class names, index = label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// Loads a <c>.pth</c> or <c>.safetensors</c> checkpoint onto device <paramref name="device"/> (see
    /// <see cref="Devices.Open"/>). Every missing, unexpected or misshapen weight is reported in one error.
    /// </summary>
    public static CondInstModel Load(string path, string device = "auto", ModelOptions? options = null)
    {
        var loaded = CheckpointLoader.Load(path, options);
        var backend = Devices.Open(device);
        try
        {
            return new CondInstModel(backend, ownsBackend: true, loaded.Weights, loaded.Architecture, loaded.Settings, loaded.ClassNames) { Warnings = loaded.Warnings };
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Loads a checkpoint onto a backend the caller owns (and disposes after the model).</summary>
    public static CondInstModel Load(string path, IBackend backend, ModelOptions? options = null)
    {
        var loaded = CheckpointLoader.Load(path, options);
        return new CondInstModel(backend, ownsBackend: false, loaded.Weights, loaded.Architecture, loaded.Settings, loaded.ClassNames) { Warnings = loaded.Warnings };
    }

    /// <summary>A model from weights already in memory, on a backend the caller owns (tests, benchmarks, random models).</summary>
    public static CondInstModel Create(IBackend backend, WeightSet weights, TestSettings settings, IReadOnlyList<string>? classNames = null)
    {
        var arch = CondInstArchitecture.InferFrom(weights.Shapes);
        return new CondInstModel(backend, ownsBackend: false, weights, arch, settings, classNames ?? ClassNameResolver.Defaults(arch.NumClasses));
    }

    /// <summary>A model whose convolutional body is <paramref name="body"/> (benchmark peers), with the engine's pre- and post-processing.</summary>
    internal static CondInstModel Create(IBackend backend, WeightSet weights, TestSettings settings, Func<IBackend, WeightSet, CondInstArchitecture, IConvolutionalBody> body)
    {
        var arch = CondInstArchitecture.InferFrom(weights.Shapes);
        return new CondInstModel(backend, ownsBackend: false, weights, arch, settings, ClassNameResolver.Defaults(arch.NumClasses), body);
    }

    /// <summary>Decodes an image file as mmdetection does (Pillow rules, EXIF orientation) and detects instances in it.</summary>
    public Prediction Predict(string imagePath, IStageObserver? observer = null) => Predict(ImageLoader.Load(imagePath), observer);

    /// <summary>Detects instances in a decoded image.</summary>
    public Prediction Predict(DecodedImage image, IStageObserver? observer = null) =>
        Predict(image.Bgr, image.Width, image.Height, image.Name, observer);

    /// <summary>
    /// Detects instances in an HWC BGR image (as mmdetection's loader gives it). An <paramref name="observer"/> is told
    /// every stage's tensors by their fixture names and the end of every timed stage (stage dumps, <see cref="StageClock"/>).
    /// </summary>
    public Prediction Predict(ReadOnlySpan<byte> bgr, int width, int height, string name = "image", IStageObserver? observer = null)
    {
        var o = observer ?? StageObserver.None;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var g = ImageGeometry.For(width, height, Settings.ScaleLong, Settings.ScaleShort);
            var b = Backend;
            Tensor input;
            using (var resized = Preprocessor.Resize(b, bgr, g))
            {
                input = Preprocessor.Normalize(b, resized, g);
                InputDumps.Report(o, b, resized, input);
            }
            o.StageDone("preprocess");
            using (input)
            using (var net = _network.Forward(input, o))
            using (var kept = BoxSelector.Select(b, net, g, Settings))
            {
                var boxes = BoxRescale.ToOriginal(kept.Boxes, g);
                o.StageDone("postprocess");
                CandidateDumps.Report(o, b, net, kept);
                o.Array("det_bboxes", () => NpyArray.FromFloats(boxes, kept.Count, 4));
                using var probs = MaskPredictor.Probabilities(b, net.MaskFeature, kept, o);
                o.StageDone("mask_head");
                var masks = MaskPredictor.Paste(b, probs, g, Settings.MaskThreshold);
                o.StageDone("mask_paste");
                MaskDumps.ReportHead(o, b, kept, net.MaskFeature.Dim(2), net.MaskFeature.Dim(3));
                MaskDumps.ReportPaste(o, b, probs, g, masks);
                var instances = new Instance[kept.Count];
                for (int i = 0; i < kept.Count; i++)
                    instances[i] = new Instance(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3], kept.Scores[i], kept.Labels[i], ClassNames[kept.Labels[i]], masks[i]);
                return new Prediction(name, g, instances);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _network.Dispose();
            if (_ownsBackend) Backend.Dispose();
        }
    }
}
