using System.Text.Json;

namespace CondInst.Kernels.Coco;

/// <summary>
/// A COCO annotation file (<c>instances_*.json</c>): images, categories and ground-truth annotations, checked on
/// reading (ids unique, every annotation on a listed image and category, sizes and boxes sane).
/// </summary>
public sealed class CocoDataset
{
    private readonly Dictionary<long, CocoImage> _images;
    private readonly Dictionary<string, CocoImage> _byFileName;

    private CocoDataset(string source, List<CocoImage> images, List<CocoCategory> categories, List<CocoAnnotation> annotations)
    {
        Source = source;
        Images = images;
        Categories = categories;
        Annotations = annotations;
        _images = images.ToDictionary(i => i.Id);
        _byFileName = new Dictionary<string, CocoImage>(StringComparer.Ordinal);
        foreach (var i in images)
            if (i.FileName != null) _byFileName.TryAdd(i.FileName, i);
    }

    /// <summary>Where it was read from (used in messages).</summary>
    public string Source { get; }

    /// <summary>The images, in file order.</summary>
    public IReadOnlyList<CocoImage> Images { get; }

    /// <summary>The categories, in file order.</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    /// <summary>The ground truth, in file order (the order ties are broken in).</summary>
    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>The image with id <paramref name="id"/>, or null.</summary>
    public CocoImage? FindImage(long id) => _images.GetValueOrDefault(id);

    /// <summary>The image whose <c>file_name</c> is <paramref name="fileName"/> (exact, or its last path part), or null.</summary>
    public CocoImage? FindImageByFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return _byFileName.GetValueOrDefault(fileName) ?? _byFileName.GetValueOrDefault(Path.GetFileName(fileName));
    }

    /// <summary>Reads an annotation file.</summary>
    /// <exception cref="CocoFormatException">The file is not a valid COCO annotation file (one line: file, field, problem).</exception>
    public static CocoDataset Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"annotation file '{path}' does not exist");
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads an annotation file from a stream; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="CocoFormatException">The content is not a valid COCO annotation file.</exception>
    public static CocoDataset Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        var f = new JsonFields(source);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 }); }
        catch (JsonException e) { throw new CocoFormatException($"{source}: not valid JSON ({e.Message})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw f.Error("$", $"expected the annotation object {{\"images\", \"annotations\", \"categories\"}}, found {JsonFields.Describe(root)}");
            var images = ReadImages(f, f.Array(f.Required(root, "images", "$"), "images"));
            var byId = images.ToDictionary(i => i.Id);
            var categories = ReadCategories(f, f.Array(f.Required(root, "categories", "$"), "categories"));
            var catIds = categories.Select(c => c.Id).ToHashSet();
            var anns = JsonFields.Optional(root, "annotations") is JsonElement a
                ? ReadAnnotations(f, f.Array(a, "annotations"), byId, catIds)
                : [];
            return new CocoDataset(source, images, categories, anns);
        }
    }

    private static List<CocoImage> ReadImages(JsonFields f, JsonElement array)
    {
        var list = new List<CocoImage>(array.GetArrayLength());
        var seen = new HashSet<long>();
        int i = 0;
        foreach (var e in array.EnumerateArray())
        {
            string p = $"images[{i++}]";
            long id = f.Integer(f.Required(e, "id", p), $"{p}.id");
            if (!seen.Add(id)) throw f.Error($"{p}.id", $"image id {id} appears twice");
            long w = f.Integer(f.Required(e, "width", p), $"{p}.width");
            long h = f.Integer(f.Required(e, "height", p), $"{p}.height");
            if (w <= 0 || h <= 0 || w * h > int.MaxValue) throw f.Error(p, $"expected a positive size below 2^31 pixels, found {w}x{h}");
            string? name = JsonFields.Optional(e, "file_name") is JsonElement n ? f.String(n, $"{p}.file_name") : null;
            list.Add(new CocoImage(id, name, (int)w, (int)h));
        }
        return list;
    }

    private static List<CocoCategory> ReadCategories(JsonFields f, JsonElement array)
    {
        var list = new List<CocoCategory>(array.GetArrayLength());
        var seen = new HashSet<long>();
        int i = 0;
        foreach (var e in array.EnumerateArray())
        {
            string p = $"categories[{i++}]";
            long id = f.Integer(f.Required(e, "id", p), $"{p}.id");
            if (!seen.Add(id)) throw f.Error($"{p}.id", $"category id {id} appears twice");
            string name = JsonFields.Optional(e, "name") is JsonElement n ? f.String(n, $"{p}.name") : $"category {id}";
            list.Add(new CocoCategory(id, name));
        }
        return list;
    }

    private static List<CocoAnnotation> ReadAnnotations(JsonFields f, JsonElement array, Dictionary<long, CocoImage> images, HashSet<long> catIds)
    {
        var list = new List<CocoAnnotation>(array.GetArrayLength());
        var seen = new HashSet<long>();
        int i = 0;
        foreach (var e in array.EnumerateArray())
        {
            string p = $"annotations[{i++}]";
            long id = f.Integer(f.Required(e, "id", p), $"{p}.id");
            if (!seen.Add(id)) throw f.Error($"{p}.id", $"annotation id {id} appears twice");
            long imageId = f.Integer(f.Required(e, "image_id", p), $"{p}.image_id");
            if (!images.TryGetValue(imageId, out var image)) throw f.Error($"{p}.image_id", $"{imageId} is not the id of an entry of images");
            long cat = f.Integer(f.Required(e, "category_id", p), $"{p}.category_id");
            if (!catIds.Contains(cat)) throw f.Error($"{p}.category_id", $"{cat} is not the id of an entry of categories");
            double area = f.Number(f.Required(e, "area", p), $"{p}.area");
            bool crowd = JsonFields.Optional(e, "iscrowd") is JsonElement c && f.Flag(c, $"{p}.iscrowd");
            double[]? box = JsonFields.Optional(e, "bbox") is JsonElement b ? f.Box(b, $"{p}.bbox") : null;
            // An empty list is a box-only annotation: fine for bbox, refused by a segm evaluation.
            var segm = JsonFields.Optional(e, "segmentation") is JsonElement s && !(s.ValueKind == JsonValueKind.Array && s.GetArrayLength() == 0)
                ? f.Segmentation(s, $"{p}.segmentation", image) : null;
            list.Add(new CocoAnnotation(id, imageId, cat, box, area, crowd, segm));
        }
        return list;
    }
}
