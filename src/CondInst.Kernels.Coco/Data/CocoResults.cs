using System.Text.Json;
using System.Text.Json.Nodes;

namespace CondInst.Kernels.Coco;

/// <summary>
/// A COCO results file: a list of <c>{"image_id", "category_id", "score", "bbox" and/or "segmentation"}</c>, read
/// against the annotation file it is scored with, as pycocotools' <c>loadRes</c> does: when the first entry has a
/// box, every entry needs one, its area is the box's w·h and a missing segmentation is the box; otherwise every
/// entry needs a segmentation, and area and box come from the mask.
/// </summary>
public static class CocoResults
{
    /// <summary>Reads a results file.</summary>
    /// <exception cref="CocoFormatException">An entry is malformed or names an image the annotation file does not have.</exception>
    public static IReadOnlyList<CocoDetection> Load(string path, CocoDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"results file '{path}' does not exist");
        using var stream = File.OpenRead(path);
        return Read(stream, path, dataset);
    }

    /// <summary>Reads a results file from a stream; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="CocoFormatException">An entry is malformed or names an image the annotation file does not have.</exception>
    public static IReadOnlyList<CocoDetection> Read(Stream stream, string source, CocoDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataset);
        var f = new JsonFields(source);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 }); }
        catch (JsonException e) { throw new CocoFormatException($"{source}: not valid JSON ({e.Message})"); }
        using (doc)
        {
            var root = f.Array(doc.RootElement, "$");
            var list = new List<CocoDetection>(root.GetArrayLength());
            bool? boxes = null;
            int i = 0;
            foreach (var e in root.EnumerateArray())
            {
                string p = $"[{i}]";
                var idElement = f.Required(e, "image_id", p);
                if (idElement.ValueKind == JsonValueKind.String)
                    throw f.Error($"{p}.image_id", $"expected an image id of {dataset.Source} (an integer), found {JsonFields.Describe(idElement)} (write results with `infer --ann {dataset.Source}`)");
                long imageId = f.Integer(idElement, $"{p}.image_id");
                var image = dataset.FindImage(imageId) ?? throw f.Error($"{p}.image_id", $"{imageId} is not an image id of {dataset.Source}");
                long cat = f.Integer(f.Required(e, "category_id", p), $"{p}.category_id");
                double score = f.Number(f.Required(e, "score", p), $"{p}.score");
                var boxElement = JsonFields.Optional(e, "bbox");
                var segmElement = JsonFields.Optional(e, "segmentation");
                boxes ??= boxElement is JsonElement b0 && !(b0.ValueKind == JsonValueKind.Array && b0.GetArrayLength() == 0);
                double[] box;
                double area;
                CocoSegmentation segm;
                if (boxes.Value)
                {
                    if (boxElement is not JsonElement b) throw f.Error($"{p}.bbox", "missing (the first entry has a box, so every entry needs one)");
                    box = f.Box(b, $"{p}.bbox");
                    area = box[2] * box[3];
                    segm = segmElement is JsonElement s ? f.Segmentation(s, $"{p}.segmentation", image) : CocoSegmentation.FromPolygons([BoxPolygon(box)]);
                }
                else
                {
                    if (segmElement is not JsonElement s) throw f.Error($"{p}.segmentation", "missing (the first entry has no box, so every entry needs a segmentation)");
                    segm = f.Segmentation(s, $"{p}.segmentation", image);
                    var rle = segm.ToRle(image.Height, image.Width);
                    area = rle.Area;
                    box = rle.ToBox();
                }
                list.Add(new CocoDetection(i, imageId, cat, score, box, area, segm));
                i++;
            }
            return list;
        }
    }

    private static double[] BoxPolygon(double[] b)
    {
        double x1 = b[0], y1 = b[1], x2 = b[0] + b[2], y2 = b[1] + b[3];
        return [x1, y1, x1, y2, x2, y2, x2, y1];
    }

    /// <summary>
    /// Rewrites a results file's <c>image_id</c>s as <paramref name="dataset"/>'s integer ids, looked up by each
    /// entry's <c>file_name</c> (what <c>infer</c> writes); other fields are kept as they are. Writes to
    /// <paramref name="outputPath"/> (may be the same file) only when every entry was found.
    /// </summary>
    /// <exception cref="CocoFormatException">An entry has no <c>file_name</c>, or one the annotation file does not list.</exception>
    public static void AssignImageIds(string resultsPath, CocoDataset dataset, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(resultsPath);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(outputPath);
        var f = new JsonFields(resultsPath);
        JsonNode? root;
        using (var stream = File.OpenRead(resultsPath))
        {
            try { root = JsonNode.Parse(stream); }
            catch (JsonException e) { throw new CocoFormatException($"{resultsPath}: not valid JSON ({e.Message})"); }
        }
        if (root is not JsonArray array) throw new CocoFormatException($"{resultsPath}: $: expected a list of results");
        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject entry) throw f.Error($"[{i}]", "expected an object");
            if (entry["file_name"] is not JsonValue name || !name.TryGetValue(out string? fileName))
                throw f.Error($"[{i}].file_name", "missing (needed to find the image's id)");
            var image = dataset.FindImageByFileName(fileName)
                ?? throw f.Error($"[{i}].file_name", $"\"{fileName}\" is not the file_name of an image of {dataset.Source}");
            entry["image_id"] = image.Id;
        }
        string tmp = outputPath + ".tmp";
        using (var output = File.Create(tmp))
        using (var writer = new Utf8JsonWriter(output))
            root.WriteTo(writer);
        File.Move(tmp, outputPath, overwrite: true);
    }
}
