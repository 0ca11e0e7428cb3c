using System.Text.Json;

namespace CondInst.Kernels.Model;

/// <summary>
/// Writes detections as a COCO results file (the list <c>CocoMetric</c> dumps for 'segm', docs/INFERENCE.md#coco-output), one entry per
/// instance:
/// <code>{"image_id": "000000397133", "file_name": "000000397133.jpg", "category_id": 44, "label": 39,
///  "bbox": [x, y, w, h], "score": 0.87, "segmentation": {"size": [h, w], "counts": "..."}}</code>
/// <para>bbox is [x1, y1, x2 − x1, y2 − y1] in original pixels, no +1. Numbers are written as mmdetection writes
/// them: the float32 value widened to double (Python's <c>float(np.float32)</c>; the width and height subtract in
/// double as <c>bbox.tolist()</c> does) in the shortest text that reads back to exactly that double, invariant culture.</para>
/// </summary>
public static class CocoResultsWriter
{
    /// <summary>The file name written into the output folder.</summary>
    public const string ResultsFileName = "results.json";

    /// <summary>
    /// Writes <paramref name="outputDirectory"/>/results.json atomically (temporary file in that folder, then
    /// rename: a failure leaves no partial or half-replaced file). Creates the folder if needed. Returns the path.
    /// </summary>
    public static string Write(string outputDirectory, IEnumerable<DetectionResult> images)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        Directory.CreateDirectory(outputDirectory);
        string path = Path.Combine(outputDirectory, ResultsFileName);
        WriteFile(path, images);
        return path;
    }

    /// <summary>Writes the results to <paramref name="path"/> atomically (see <see cref="Write(string, IEnumerable{DetectionResult})"/>).</summary>
    public static void WriteFile(string path, IEnumerable<DetectionResult> images)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(images);
        AtomicFile.Write(path, stream => Write(stream, images));
    }

    /// <summary>Writes the results JSON to a stream. Invalid entries throw <see cref="ArgumentException"/> naming the image and instance.</summary>
    public static void Write(Stream stream, IEnumerable<DetectionResult> images)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(images);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartArray();
        foreach (var image in images)
        {
            ArgumentNullException.ThrowIfNull(image, nameof(images));
            WriteImage(json, image);
        }
        json.WriteEndArray();
    }

    /// <summary>The entries of one image (no enclosing array).</summary>
    internal static void WriteImage(Utf8JsonWriter json, DetectionResult image)
    {
        if (image.NumClasses <= 0) throw new ArgumentOutOfRangeException(nameof(image), $"results: image '{image.ImageId}': class count must be positive, got {image.NumClasses}");
        for (int i = 0; i < image.Instances.Count; i++)
        {
            var r = image.Instances[i];
            string where = $"results: image '{image.ImageId}', instance {i}";
            if (r is null) throw new ArgumentException($"{where} is null");
            if (r.Mask is null || r.Mask.ImageHeight != image.Height || r.Mask.ImageWidth != image.Width)
                throw new ArgumentException($"{where}: mask is {(r.Mask is null ? "missing" : $"{r.Mask.ImageHeight}x{r.Mask.ImageWidth}")}, the image is {image.Height}x{image.Width}");
            WriteInstance(json, image.ImageId, image.FileName, r, image.NumClasses, where);
        }
    }

    /// <summary>One results entry; <paramref name="where"/> names it in errors.</summary>
    internal static void WriteInstance(Utf8JsonWriter json, string imageId, string fileName, Detection r, int numClasses, string where)
    {
        foreach (float v in new[] { r.X1, r.Y1, r.X2, r.Y2, r.Score })
            if (!float.IsFinite(v)) throw new ArgumentException($"{where}: box ({r.X1}, {r.Y1}, {r.X2}, {r.Y2}) and score {r.Score} must be finite");
        if (r.Label < 0 || r.Label >= numClasses) throw new ArgumentException($"{where}: label {r.Label} is outside 0..{numClasses - 1}");
        var rle = r.ToRle();

        json.WriteStartObject();
        json.WriteString("image_id", imageId);
        json.WriteString("file_name", fileName);
        json.WriteNumber("category_id", CocoCategories.CategoryId(r.Label, numClasses));
        json.WriteNumber("label", r.Label);
        json.WriteStartArray("bbox");
        json.WriteNumberValue((double)r.X1);
        json.WriteNumberValue((double)r.Y1);
        json.WriteNumberValue((double)r.X2 - r.X1);
        json.WriteNumberValue((double)r.Y2 - r.Y1);
        json.WriteEndArray();
        json.WriteNumber("score", (double)r.Score);
        json.WriteStartObject("segmentation");
        json.WriteStartArray("size");
        json.WriteNumberValue(rle.Height);
        json.WriteNumberValue(rle.Width);
        json.WriteEndArray();
        json.WriteString("counts", rle.Counts);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>What <paramref name="write"/> writes, as a string.</summary>
    internal static string ToJson(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) write(json);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
