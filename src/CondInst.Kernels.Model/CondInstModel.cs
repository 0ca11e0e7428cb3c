using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Model;

/// <summary>
/// A CondInst model on one device: load it once, then call <see cref="Predict(ReadOnlySpan{byte}, int, int, string, IStageSink?, bool)"/>
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

    /// <summary>Limits for the images <see cref="Predict(string, IStageSink?, bool)"/> loads (null: <see cref="ImageLimits.Default"/>).</summary>
    public ImageLimits? ImageLimits { get; private init; }

    /// <summary>Class names, index = label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// Loads a <c>.pth</c> or <c>.safetensors</c> checkpoint onto device <paramref name="device"/> (see
    /// <see cref="Devices.Open"/>). Every missing, unexpected or misshapen weight is reported in one error.
    /// </summary>
    public static CondInstModel Load(string path, string device = "auto", ModelOptions? options = null)
    {
        var loaded = LoadWeights(path, options);
        var backend = Devices.Open(device);
        try
        {
            return new CondInstModel(backend, ownsBackend: true, loaded.Weights, loaded.Arch, loaded.Settings, loaded.Names) { Warnings = loaded.Warnings, ImageLimits = options?.ImageLimits };
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
        var loaded = LoadWeights(path, options);
        return new CondInstModel(backend, ownsBackend: false, loaded.Weights, loaded.Arch, loaded.Settings, loaded.Names) { Warnings = loaded.Warnings, ImageLimits = options?.ImageLimits };
    }

    private static (WeightSet Weights, CondInstArchitecture Arch, TestSettings Settings, IReadOnlyList<string> Names, IReadOnlyList<string> Warnings) LoadWeights(string path, ModelOptions? options)
    {
        using var checkpoint = Checkpoint.Load(path, options?.Limits);
        var arch = CondInstArchitecture.InferFrom(checkpoint.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Shape));
        checkpoint.Bind(arch.ExpectedParameters());
        var weights = new WeightSet(checkpoint.Tensors
            .Where(kv => !kv.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .Select(kv => new KeyValuePair<string, (int[], float[])>(kv.Key, (kv.Value.Shape, kv.Value.ToFloat32()))));
        var names = ClassNameResolver.FromMeta(checkpoint.Meta, arch.NumClasses);
        var settings = (options ?? new ModelOptions()).Apply(checkpoint.Settings);
        var warnings = new List<string>();
        // Published files are named after their sha256 prefix: a mismatch means a truncated or different download.
        // NaN or infinite weights make every score NaN, and NaN passes no threshold: zero instances, silently.
        var nonFinite = weights.Keys.Select(n => (Name: n, Count: weights.Get(n, weights.ShapeOf(n)).Count(v => !float.IsFinite(v)))).Where(x => x.Count > 0).ToList();
        if (nonFinite.Count > 0)
            warnings.Add($"{path}: {nonFinite.Count} tensor(s) hold NaN or infinite values ({string.Join(", ", nonFinite.Take(3).Select(x => $"'{x.Name}': {x.Count}"))}{(nonFinite.Count > 3 ? ", ..." : "")}); predictions will be empty or wrong");
        if (!CheckpointHash.MatchesDeclaredPrefix(path))
            warnings.Add($"{path}: sha256 starts with {CheckpointHash.Sha256Prefix(path)}, but the file name declares {CheckpointHash.DeclaredPrefix(path)} (truncated or different download?)");
        return (weights, arch, settings, names, warnings);
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
    public Prediction Predict(string imagePath, IStageSink? sink = null, bool timings = false) => Predict(ImageLoader.Load(imagePath, ImageLimits), sink, timings);

    /// <summary>Detects instances in a decoded image.</summary>
    public Prediction Predict(DecodedImage image, IStageSink? sink = null, bool timings = false) =>
        Predict(image.Bgr, image.Width, image.Height, image.Name, sink, timings);

    /// <summary>
    /// Detects instances in an HWC BGR image (as mmdetection's loader gives it). With <paramref name="sink"/> every
    /// stage is reported by its fixture name; with <paramref name="timings"/> per-stage times are measured.
    /// </summary>
    public Prediction Predict(ReadOnlySpan<byte> bgr, int width, int height, string name = "image", IStageSink? sink = null, bool timings = false)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var g = ImageGeometry.For(width, height, Settings.ScaleLong, Settings.ScaleShort);
            var clock = timings ? new StageClock(Backend) : null;
            using var input = Preprocessor.Run(Backend, bgr, g, sink);
            clock?.Lap("preprocess");
            using var net = _network.Forward(input, sink, clock);
            using var kept = BoxSelector.Select(Backend, net, g, Settings, sink);
            clock?.Lap("postprocess");
            var masks = MaskPredictor.Predict(Backend, net.MaskFeature, kept, g, Settings.MaskThreshold, sink, clock);
            var instances = new Instance[kept.Count];
            float sx = (float)g.ScaleX, sy = (float)g.ScaleY;
            var boxes = new float[kept.Count * 4];
            for (int i = 0; i < kept.Count; i++)
            {
                // Boxes go back to original pixels by a float32 division by the per-axis scale factors (no clipping).
                var b = kept.Boxes.AsSpan(4 * i, 4);
                (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]) = (b[0] / sx, b[1] / sy, b[2] / sx, b[3] / sy);
                instances[i] = new Instance(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3], kept.Scores[i], kept.Labels[i], ClassNames[kept.Labels[i]], masks[i]);
            }
            sink?.Array("det_bboxes", NpyArray.FromFloats(boxes, kept.Count, 4));
            return new Prediction(name, g, instances, clock?.Laps.ToArray() ?? []);
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
