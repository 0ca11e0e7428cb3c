namespace CondInst.Kernels.Model;

/// <summary>What <see cref="InferenceJob.Run"/> is asked to do.</summary>
/// <param name="Weights">Checkpoint (.pth or .safetensors).</param>
/// <param name="Images">Image files, in order.</param>
/// <param name="OutputFolder">Where results.json, overlays and dumps go.</param>
/// <param name="Device">Device name (see <see cref="Devices.Open"/>).</param>
/// <param name="Options">Overrides of the model's test settings.</param>
/// <param name="Dump">Write every stage as .npy under OUT/dump/&lt;image&gt;/.</param>
/// <param name="OverlayScoreThreshold">Instances drawn on the overlays need at least this score (results.json keeps all;
/// 0.3 is mmdetection's visualiser default).</param>
public sealed record InferenceRequest(string Weights, IReadOnlyList<string> Images, string OutputFolder, string Device, ModelOptions Options, bool Dump,
    float OverlayScoreThreshold = 0.3f);

/// <summary>Where the outputs went.</summary>
/// <param name="ResultsJson">Path of results.json.</param>
/// <param name="Overlays">Overlay PNG per image.</param>
/// <param name="DumpFolders">Stage-dump folder per image (empty without dumps).</param>
/// <param name="Instances">Total instances found.</param>
/// <param name="Device">The device that ran.</param>
public sealed record InferenceSummary(string ResultsJson, IReadOnlyList<string> Overlays, IReadOnlyList<string> DumpFolders, int Instances, string Device);

/// <summary>
/// The <c>infer</c> job: load the model once, predict every image, write an overlay per image as it goes and
/// results.json once at the end (atomically: it exists complete or not at all).
/// </summary>
public static class InferenceJob
{
    /// <summary>Image file extensions taken from a folder.</summary>
    public static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".tga", ".pbm", ".pgm", ".ppm"];

    /// <summary>The image files of <paramref name="folder"/>, sorted by name; a clear error when there are none.</summary>
    public static IReadOnlyList<string> ImagesIn(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--images: folder '{folder}' does not exist");
        var files = Directory.EnumerateFiles(folder)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new FileNotFoundException($"--images: folder '{folder}' holds no image files ({string.Join(", ", ImageExtensions)})");
        return files;
    }

    /// <summary>Runs the job; <paramref name="progress"/> gets (images done, total, current name); warnings go to <paramref name="warn"/>.</summary>
    public static InferenceSummary Run(InferenceRequest request, Action<int, int, string>? progress = null, Action<string>? warn = null)
    {
        if (request.Images.Count == 0) throw new ArgumentException("no images given");
        foreach (var img in request.Images)
            if (!File.Exists(img)) throw new FileNotFoundException($"image '{img}' does not exist");
        var stems = request.Images.GroupBy(i => Path.GetFileNameWithoutExtension(i), StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        if (stems.Count > 0)
            throw new ArgumentException($"images share a name, their outputs would collide: {string.Join(", ", stems.Select(g => string.Join(" / ", g)))}");
        string outDir = Path.GetFullPath(request.OutputFolder);
        foreach (var img in request.Images)
            if (string.Equals(Path.GetFullPath(OverlayPath(outDir, img)), Path.GetFullPath(img), StringComparison.Ordinal))
                throw new ArgumentException($"the overlay for '{img}' would overwrite the image itself: choose another --out folder");

        using var model = CondInstModel.Load(request.Weights, request.Device, request.Options);
        foreach (var w in model.Warnings) warn?.Invoke(w);
        Directory.CreateDirectory(outDir);
        // An older results.json must not stand next to this run's overlays should this run stop early.
        File.Delete(Path.Combine(outDir, CocoResultsWriter.ResultsFileName));
        var results = new List<DetectionResult>();
        var overlays = new List<string>();
        var dumps = new List<string>();
        int total = 0;
        for (int i = 0; i < request.Images.Count; i++)
        {
            string path = request.Images[i];
            progress?.Invoke(i, request.Images.Count, Path.GetFileName(path));
            DecodedImage image;
            try
            {
                image = ImageLoader.Load(path, request.Options.ImageLimits);
            }
            catch (ImageLoadException e) when (results.Count > 0)
            {
                // Keep the images done so far: results.json is written complete for them, then the error is reported.
                CocoResultsWriter.Write(outDir, results);
                throw new ImageLoadException(e.FileName, $"{e.Problem}; the run stopped here, results.json holds the {results.Count} image(s) before it", e);
            }
            NpyDumpSink? sink = null;
            if (request.Dump)
            {
                string folder = Path.Combine(outDir, "dump", image.Name);
                sink = new NpyDumpSink(folder, model.Backend);
                dumps.Add(folder);
            }
            var result = model.Predict(image, sink) with { FileName = Path.GetFileName(path) };
            results.Add(result);
            total += result.Instances.Count;
            string overlay = OverlayPath(outDir, path);
            OverlayRenderer.SavePng(overlay, image, [.. result.Instances.Where(d => d.Score >= request.OverlayScoreThreshold)]);
            overlays.Add(overlay);
        }
        progress?.Invoke(request.Images.Count, request.Images.Count, "");
        string json = CocoResultsWriter.Write(outDir, results);
        return new InferenceSummary(json, overlays, dumps, total, model.Backend.Device.Id);
    }

    private static string OverlayPath(string outDir, string image) => Path.Combine(outDir, Path.GetFileNameWithoutExtension(image) + ".png");
}
