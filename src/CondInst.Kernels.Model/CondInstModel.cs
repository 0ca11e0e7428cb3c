using CondInst.Kernels.Importer;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Model;

/// <summary>
/// A CondInst model on one device: load it once, then call <c>Predict</c> per image (from a path, a stream, encoded
/// bytes, an ImageSharp image or BGR pixels), <c>PredictAsync</c>, or <c>PredictBatch</c>/<c>PredictBatchAsync</c> over
/// many files. Predictions on one model are serialised by a lock (the backend and its memory pool are not
/// thread-safe), so calling from several threads is safe; for parallel throughput load one model per device (on the
/// CPU, give each its share of the cores with <see cref="ModelOptions.CpuThreads"/>).
/// </summary>
public sealed partial class CondInstModel : IDisposable
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
        _pasteBackend = backend is CpuBackend ? new CpuBackend() : null;
        backend.EndPass(); // loading is a pass of its own, so that the first prediction's requests are those of every later one
    }

    /// <summary>The device the model runs on.</summary>
    public IBackend Backend { get; }

    /// <summary>The sizes inferred from the weights.</summary>
    public CondInstArchitecture Architecture { get; }

    /// <summary>Test-time settings in use and where they came from.</summary>
    public TestSettings Settings { get; }

    /// <summary>Problems found while loading that did not stop it (e.g. a checksum mismatch).</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>Limits for the images the <c>Predict</c> overloads decode (null: <see cref="ImageLimits.Default"/>).</summary>
    public ImageLimits? ImageLimits { get; private init; }

    /// <summary>Class names, index = label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// Loads a <c>.pth</c> or <c>.safetensors</c> checkpoint onto device <paramref name="device"/> (see
    /// <see cref="Devices.Open"/>). Every missing, unexpected or misshapen weight is reported in one error.
    /// </summary>
    public static CondInstModel Load(string path, string device = "auto", ModelOptions? options = null)
    {
        var loaded = CheckpointLoader.Load(path, options);
        var backend = Devices.Open(device, options?.CpuThreads);
        try
        {
            return new CondInstModel(backend, ownsBackend: true, loaded.Weights, loaded.Architecture, loaded.Settings, loaded.ClassNames) { Warnings = loaded.Warnings, ImageLimits = options?.ImageLimits };
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
        return new CondInstModel(backend, ownsBackend: false, loaded.Weights, loaded.Architecture, loaded.Settings, loaded.ClassNames) { Warnings = loaded.Warnings, ImageLimits = options?.ImageLimits };
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
    /// <exception cref="ImageLoadException">The file is missing, unreadable or not a decodable image.</exception>
    public DetectionResult Predict(string imagePath, IStageObserver? observer = null) =>
        Run(ImageLoader.Load(imagePath, ImageLimits), Path.GetFileName(imagePath), observer, default);

    /// <summary>Decodes an encoded image (JPEG, PNG, ...) read from <paramref name="stream"/> to its end, and detects instances in it.</summary>
    /// <exception cref="ImageLoadException">The stream is unreadable or does not hold a decodable image.</exception>
    public DetectionResult Predict(Stream stream, string name = "image") => Run(ImageLoader.Load(stream, name, ImageLimits), name, null, default);

    /// <summary>Decodes an encoded image file held in memory and detects instances in it.</summary>
    /// <exception cref="ImageLoadException">The bytes are not a decodable image.</exception>
    public DetectionResult Predict(ReadOnlyMemory<byte> encoded, string name = "image") => Run(ImageLoader.Load(encoded, name, ImageLimits), name, null, default);

    /// <summary>
    /// Detects instances in an ImageSharp image, its pixels taken as they are (no EXIF orientation is applied: call
    /// ImageSharp's <c>AutoOrient</c> first if the image came from a camera file).
    /// </summary>
    public DetectionResult Predict(Image<Rgb24> image, string name = "image") => Run(ImageLoader.FromImage(image, name), name, null, default);

    /// <summary>Detects instances in a decoded image.</summary>
    public DetectionResult Predict(DecodedImage image, IStageObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Run(image, image.Name, observer, default);
    }

    /// <summary>
    /// Detects instances in an HWC BGR image (as mmdetection's loader gives it). An <paramref name="observer"/> is told
    /// every stage's tensors by their fixture names and the end of every timed stage (stage dumps, <see cref="StageClock"/>).
    /// </summary>
    public DetectionResult Predict(ReadOnlySpan<byte> bgr, int width, int height, string name = "image", IStageObserver? observer = null) =>
        Run(bgr, width, height, name, name, observer, default);

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            lock (_pasteGate)
            {
                if (_disposed) return;
                _disposed = true;
                _network.Dispose();
                _pasteBackend?.Dispose();
                if (_ownsBackend) Backend.Dispose();
            }
        }
    }
}
