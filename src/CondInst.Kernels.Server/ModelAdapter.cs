using System.Text;
using CondInst.Kernels.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Server;

/// <summary>An image decoded for the model (an opaque handle outside <see cref="ModelAdapter"/>).</summary>
internal sealed class PreparedImage
{
    internal PreparedImage(DecodedImage image) => Image = image;

    internal DecodedImage Image { get; }

    /// <summary>Width in pixels (after EXIF orientation).</summary>
    public int Width => Image.Width;

    /// <summary>Height in pixels.</summary>
    public int Height => Image.Height;
}

/// <summary>Runs a group of images through the model in one pass (the queue's view of the model; tests wrap it).</summary>
internal interface IBatchPredictor
{
    /// <summary>One segmentation per image, in order.</summary>
    IReadOnlyList<Segmentation> Predict(IReadOnlyList<PreparedImage> images);
}

/// <summary>
/// The server's only contact with the model library: loading, decoding, prediction, RLE and the COCO results and
/// overlay encodings. Everything else in the server sees plain <see cref="Segmentation"/> values, so a change of the
/// library's API changes this file alone.
/// </summary>
internal sealed class ModelAdapter : IBatchPredictor, IDisposable
{
    private readonly CondInstModel _model;

    private ModelAdapter(CondInstModel model) => _model = model;

    /// <summary>The device the model runs on (e.g. "cpu").</summary>
    public string Device => _model.Backend.Device.Id;

    /// <summary>Class names, index = label.</summary>
    public IReadOnlyList<string> ClassNames => _model.ClassNames;

    /// <summary>The library's own result, kept with a <see cref="Segmentation"/> for the results JSON and the overlay.</summary>
    internal sealed class NativeResult(DetectionResult result)
    {
        public DetectionResult Result { get; } = result;
    }

    /// <summary>Loads a checkpoint; warnings that did not stop the load go to <paramref name="warn"/>.</summary>
    public static ModelAdapter Load(string weights, string device, Action<string> warn)
    {
        var model = CondInstModel.Load(weights, device);
        foreach (var w in model.Warnings) warn(w);
        return new ModelAdapter(model);
    }

    /// <summary>Decodes an encoded image file (PNG, JPEG, ...) as <c>infer</c> does; bad bytes are <see cref="ServeException"/> (bad input).</summary>
    public static PreparedImage Decode(byte[] encoded, string name)
    {
        try
        {
            return new PreparedImage(ImageLoader.Load(encoded, name));
        }
        catch (ImageLoadException e)
        {
            throw ServeException.BadInput(e.Message);
        }
    }

    /// <summary>Wraps RGB HWC pixels.</summary>
    public static PreparedImage FromRgb(byte[] rgb, int width, int height, string name) =>
        new(ImageLoader.FromRgb(rgb, width, height, name));

    /// <summary>One forward pass on a small grey image, so the first request does not pay for kernel compilation.</summary>
    public void WarmUp()
    {
        const int Size = 64;
        var grey = new byte[Size * Size * 3];
        Array.Fill(grey, (byte)128);
        _model.Predict(grey, Size, Size, "warmup");
    }

    /// <inheritdoc/>
    public IReadOnlyList<Segmentation> Predict(IReadOnlyList<PreparedImage> images)
    {
        // The library predicts one image per call; the batch is the queue's grouping of requests.
        var results = new Segmentation[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            var p = _model.Predict(images[i].Image);
            results[i] = new Segmentation(p.Width, p.Height, [.. p.Instances.Select(d =>
                new ServedInstance(d.X1, d.Y1, d.X2, d.Y2, d.Score, d.Label, d.ClassName, d.ToRle().Counts))])
            { Native = new NativeResult(p) };
        }
        return results;
    }

    /// <summary>The COCO results list of one image, byte for byte as <c>infer</c> writes results.json.</summary>
    public static byte[] ResultsJson(Segmentation s, string fileName) =>
        Encoding.UTF8.GetBytes(Named(s, fileName).ToCocoJson());

    /// <summary>The overlay PNG <c>infer</c> draws for this image (instances scoring at least <paramref name="minScore"/>).</summary>
    public static byte[] OverlayPng(PreparedImage image, Segmentation s, float minScore)
    {
        var rgb = OverlayRenderer.RenderRgb(image.Image, [.. Native(s).Instances.Where(d => d.Score >= minScore)]);
        using var png = SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(rgb, image.Width, image.Height);
        var buffer = new MemoryStream();
        png.SaveAsPng(buffer);
        return buffer.ToArray();
    }

    // The image id and file name infer writes: the file name without its extension, and the file name.
    private static DetectionResult Named(Segmentation s, string fileName) =>
        Native(s) with { ImageId = Path.GetFileNameWithoutExtension(fileName), FileName = fileName };

    private static DetectionResult Native(Segmentation s) =>
        (s.Native ?? throw new InvalidOperationException("the segmentation did not come from the model")).Result;

    /// <inheritdoc/>
    public void Dispose() => _model.Dispose();
}
