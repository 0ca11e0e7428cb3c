using System.Text.Json;

namespace CondInst.Kernels.Coco;

/// <summary>Reads typed fields from JSON with one-line errors naming the file and the field's path.</summary>
internal readonly struct JsonFields(string file)
{
    public CocoFormatException Error(string path, string problem) => new($"{file}: {path}: {problem}");

    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Clip(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.Array => $"an array of {e.GetArrayLength()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => $"{e.GetRawText()}",
        _ => "null",
    };

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;

    public JsonElement Required(JsonElement obj, string key, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw Error(path, $"expected an object, found {Describe(obj)}");
        if (!obj.TryGetProperty(key, out var v)) throw Error($"{path}.{key}", "missing");
        return v;
    }

    public static JsonElement? Optional(JsonElement obj, string key) =>
        obj.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public JsonElement Array(JsonElement e, string path) =>
        e.ValueKind == JsonValueKind.Array ? e : throw Error(path, $"expected an array, found {Describe(e)}");

    public long Integer(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v)) return v;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
        throw Error(path, $"expected an integer, found {Describe(e)}");
    }

    public double Number(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) && double.IsFinite(v)) return v;
        throw Error(path, $"expected a finite number, found {Describe(e)}");
    }

    public string String(JsonElement e, string path) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Error(path, $"expected a string, found {Describe(e)}");

    public bool Flag(JsonElement e, string path) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when e.TryGetInt64(out long v) && v is 0 or 1 => v == 1,
        _ => throw Error(path, $"expected 0, 1, true or false, found {Describe(e)}"),
    };

    public double[] Numbers(JsonElement e, string path, int? count = null)
    {
        Array(e, path);
        int n = e.GetArrayLength();
        if (count is int c && n != c) throw Error(path, $"expected {c} numbers, found {n}");
        var values = new double[n];
        int i = 0;
        foreach (var item in e.EnumerateArray()) { values[i] = Number(item, $"{path}[{i}]"); i++; }
        return values;
    }

    /// <summary>A box [x, y, w, h]: four finite numbers, width and height not negative.</summary>
    public double[] Box(JsonElement e, string path)
    {
        var b = Numbers(e, path, 4);
        if (b[2] < 0 || b[3] < 0) throw Error(path, $"expected [x, y, w, h] with w, h >= 0, found w={b[2]}, h={b[3]}");
        return b;
    }

    /// <summary>
    /// A segmentation: a list of polygons, or run lengths <c>{"size": [h, w], "counts": "…" | [ints]}</c> whose
    /// size must be the image's (a mask of another size cannot be compared with anything on the image).
    /// </summary>
    public CocoSegmentation Segmentation(JsonElement e, string path, CocoImage image)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            if (e.GetArrayLength() == 0) throw Error(path, "expected at least one polygon, found an empty list");
            var parts = new List<double[]>();
            int i = 0;
            foreach (var part in e.EnumerateArray())
            {
                var xy = Numbers(part, $"{path}[{i}]");
                if (xy.Length < 4 || xy.Length % 2 != 0)
                    throw Error($"{path}[{i}]", $"expected a polygon of at least 2 points [x0, y0, x1, y1, …], found {xy.Length} numbers");
                parts.Add(xy);
                i++;
            }
            return CocoSegmentation.FromPolygons(parts);
        }
        if (e.ValueKind != JsonValueKind.Object)
            throw Error(path, $"expected polygons or {{\"size\": [h, w], \"counts\": ...}}, found {Describe(e)}");
        var size = Numbers(Required(e, "size", path), $"{path}.size", 2);
        if (size[0] != image.Height || size[1] != image.Width)
            throw Error($"{path}.size", $"expected the image's size [{image.Height}, {image.Width}] (image {image.Id}), found [{size[0]}, {size[1]}]");
        var counts = Required(e, "counts", path);
        long pixels = (long)image.Height * image.Width;
        if (counts.ValueKind == JsonValueKind.String)
        {
            try { return CocoSegmentation.FromRle(new RleMask(image.Height, image.Width, RleCodec.Decompress(counts.GetString()!, pixels))); }
            catch (FormatException f) { throw Error($"{path}.counts", f.Message); }
        }
        var runs = Numbers(counts, $"{path}.counts");
        var u = new uint[runs.Length];
        long total = 0;
        for (int i = 0; i < runs.Length; i++)
        {
            if (runs[i] < 0 || runs[i] != Math.Floor(runs[i]) || runs[i] > uint.MaxValue)
                throw Error($"{path}.counts[{i}]", $"expected a run length (integer >= 0), found {runs[i]}");
            u[i] = (uint)runs[i];
            total += u[i];
        }
        if (total != pixels) throw Error($"{path}.counts", $"runs cover {total} pixels, the size [{image.Height}, {image.Width}] has {pixels}");
        return CocoSegmentation.FromRle(new RleMask(image.Height, image.Width, u));
    }
}
