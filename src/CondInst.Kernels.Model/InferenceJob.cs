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
/// <param name="FailFast">Stop at the first image that cannot be loaded (an exception, no results.json) instead of
/// skipping it.</param>
/// <param name="Overlays">Write an overlay PNG per image.</param>
/// <param name="Classes">Keep only instances of these class names (null: all classes).</param>
/// <param name="ImageIds">File name → integer image id (an annotation file's ids): when given, results.json's
/// <c>image_id</c>s are these instead of the file stems, and every image's file name must be in it.</param>
public sealed record InferenceRequest(string Weights, IReadOnlyList<string> Images, string OutputFolder, string Device, ModelOptions Options, bool Dump,
    float OverlayScoreThreshold = 0.3f, bool FailFast = false, bool Overlays = true, IReadOnlyList<string>? Classes = null,
    IReadOnlyDictionary<string, long>? ImageIds = null);

/// <summary>An image the job could not load and left out of the results.</summary>
/// <param name="File">The image path.</param>
/// <param name="Reason">What was wrong with it.</param>
public sealed record SkippedImage(string File, string Reason);

/// <summary>Where the outputs went.</summary>
/// <param name="ResultsJson">Path of results.json.</param>
/// <param name="Overlays">Overlay PNG per image.</param>
/// <param name="DumpFolders">Stage-dump folder per image (empty without dumps).</param>
/// <param name="Instances">Total instances found.</param>
/// <param name="Device">The device that ran.</param>
/// <param name="Processed">Images in results.json.</param>
/// <param name="Skipped">Images that could not be loaded, in order (empty with <see cref="InferenceRequest.FailFast"/>).</param>
public sealed record InferenceSummary(string ResultsJson, IReadOnlyList<string> Overlays, IReadOnlyList<string> DumpFolders, int Instances, string Device,
    int Processed, IReadOnlyList<SkippedImage> Skipped);

/// <summary>
/// The <c>infer</c> job: load the model once, predict every image, write an overlay per image as it goes and
/// results.json once at the end (atomically: it exists complete or not at all). An image that cannot be loaded is
/// reported and skipped (or, with <see cref="InferenceRequest.FailFast"/>, ends the job); results.json holds the
/// images that succeeded. Nothing of an image (overlay, dump) is written before its prediction succeeded.
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

    /// <summary>
    /// Runs the job; <paramref name="progress"/> gets (images done, total, current name); warnings go to
    /// <paramref name="warn"/>, each skipped image to <paramref name="skipped"/> as it happens.
    /// </summary>
    public static InferenceSummary Run(InferenceRequest request, Action<int, int, string>? progress = null, Action<string>? warn = null,
        Action<SkippedImage>? skipped = null)
    {
        if (request.Images.Count == 0) throw new ArgumentException("no images given");
        foreach (var img in request.Images)
            if (!File.Exists(img)) throw new FileNotFoundException($"image '{img}' does not exist");
        var stems = request.Images.GroupBy(i => Path.GetFileNameWithoutExtension(i), StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        if (stems.Count > 0)
            throw new ArgumentException($"images share a name, their outputs would collide: {string.Join(", ", stems.Select(g => string.Join(" / ", g)))}");
        if (request.ImageIds is { } ids && request.Images.FirstOrDefault(i => !ids.ContainsKey(Path.GetFileName(i))) is { } unknown)
            throw new ArgumentException($"image '{unknown}': its file name has no entry in the image-id map");
        string outDir = Path.GetFullPath(request.OutputFolder);
        foreach (var img in request.Images)
            if (string.Equals(Path.GetFullPath(OverlayPath(outDir, img)), Path.GetFullPath(img), StringComparison.Ordinal))
                throw new ArgumentException($"the overlay for '{img}' would overwrite the image itself: choose another --out folder");

        using var model = CondInstModel.Load(request.Weights, request.Device, request.Options);
        foreach (var w in model.Warnings) warn?.Invoke(w);
        var keep = ClassFilter(request.Classes, model.ClassNames);
        Directory.CreateDirectory(outDir);
        // An older results.json must not stand next to this run's overlays should this run stop early.
        File.Delete(Path.Combine(outDir, CocoResultsWriter.ResultsFileName));
        var results = new List<DetectionResult>();
        var overlays = new List<string>();
        var dumps = new List<string>();
        var skips = new List<SkippedImage>();
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
            catch (ImageLoadException e) when (request.FailFast && results.Count > 0)
            {
                // Keep the images done so far: results.json is written complete for them, then the error is reported.
                CocoResultsWriter.Write(outDir, results, request.ImageIds);
                throw new ImageLoadException(e.FileName, $"{e.Problem}; the run stopped here, results.json holds the {results.Count} image(s) before it", e);
            }
            catch (ImageLoadException e) when (!request.FailFast)
            {
                // The file's own fault: report it, leave it out, go on with the others.
                var skip = new SkippedImage(path, e.Problem);
                skips.Add(skip);
                skipped?.Invoke(skip);
                continue;
            }
            string? dump = request.Dump ? Path.Combine(outDir, "dump", image.Name) : null;
            var result = PredictWithDump(model, image, dump) with { FileName = Path.GetFileName(path) };
            if (keep is not null) result = result with { Instances = [.. result.Instances.Where(d => keep.Contains(d.ClassName))] };
            results.Add(result);
            total += result.Instances.Count;
            if (dump is not null) dumps.Add(dump);
            if (request.Overlays)
            {
                string overlay = OverlayPath(outDir, path);
                OverlayRenderer.SavePng(overlay, image, [.. result.Instances.Where(d => d.Score >= request.OverlayScoreThreshold)]);
                overlays.Add(overlay);
            }
        }
        progress?.Invoke(request.Images.Count, request.Images.Count, "");
        string json = CocoResultsWriter.Write(outDir, results, request.ImageIds);
        return new InferenceSummary(json, overlays, dumps, total, model.Backend.Device.Id, results.Count, skips);
    }

    // The stages go to a hidden sibling folder that becomes `folder` only once the prediction succeeded, so a failed
    // image leaves no dump behind (and a dump of an earlier run under the same name stays until replaced).
    private static DetectionResult PredictWithDump(CondInstModel model, DecodedImage image, string? folder)
    {
        if (folder is null) return model.Predict(image);
        string partial = Path.Combine(Path.GetDirectoryName(folder)!, "." + Path.GetFileName(folder) + ".partial");
        if (Directory.Exists(partial)) Directory.Delete(partial, true);
        try
        {
            var p = model.Predict(image, new NpyDumpSink(partial, model.Backend));
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
            Directory.Move(partial, folder);
            return p;
        }
        catch
        {
            if (Directory.Exists(partial)) Directory.Delete(partial, true);
            throw;
        }
    }

    // The class names kept by --classes, each checked against the model's; null keeps every class.
    private static HashSet<string>? ClassFilter(IReadOnlyList<string>? classes, IReadOnlyList<string> known)
    {
        if (classes is null) return null;
        foreach (var c in classes)
            if (!known.Contains(c, StringComparer.Ordinal))
                throw new ArgumentException($"--classes: '{c}' is not a class of this model; its classes are {string.Join(", ", known)}");
        return [.. classes];
    }

    private static string OverlayPath(string outDir, string image) => Path.Combine(outDir, Path.GetFileNameWithoutExtension(image) + ".png");
}
