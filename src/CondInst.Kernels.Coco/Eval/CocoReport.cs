using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CondInst.Kernels.Coco;

/// <summary>Text and JSON forms of one or more evaluations (bbox and/or segm of the same results).</summary>
public static class CocoReport
{
    /// <summary>The name pycocotools gives the kind (<c>bbox</c>, <c>segm</c>).</summary>
    public static string Name(CocoIouType type) => type == CocoIouType.Bbox ? "bbox" : "segm";

    /// <summary>
    /// Per kind, pycocotools' 12 summary lines under an "Evaluate annotation type *kind*" line; then one table of AP,
    /// AP50 and AP75 per category and kind ("-" where a category has no ground truth).
    /// </summary>
    public static string ToText(IReadOnlyList<CocoEvaluation> evaluations)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var sb = new StringBuilder();
        foreach (var e in evaluations)
        {
            sb.Append("Evaluate annotation type *").Append(Name(e.IouType)).Append("*\n");
            foreach (var line in e.SummaryLines()) sb.Append(line).Append('\n');
        }
        if (evaluations.Count == 0) return sb.ToString();
        var categories = evaluations[0].Categories;
        int nameWidth = Math.Max(8, categories.Count == 0 ? 0 : categories.Max(c => c.Name.Length));
        sb.Append('\n').Append("category".PadRight(nameWidth));
        foreach (var e in evaluations) sb.Append($" | {Name(e.IouType) + " AP",7} {"AP50",6} {"AP75",6}");
        sb.Append('\n');
        for (int k = 0; k < categories.Count; k++)
        {
            sb.Append(categories[k].Name.PadRight(nameWidth));
            foreach (var e in evaluations)
            {
                var c = e.PerClass[k];
                sb.Append($" | {Cell(c.Ap),7} {Cell(c.Ap50),6} {Cell(c.Ap75),6}");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Cell(double v) => v > -1 ? v.ToString("F3", CultureInfo.InvariantCulture) : "-";

    /// <summary>
    /// <c>{"bbox": {"stats": [12]}, "segm": {"stats": [12]}, "per_class": {"bbox": [{"category_id", "name", "ap",
    /// "ap50", "ap75"}], …}}</c> with −1 where undefined; numbers as the shortest text that reads back exactly.
    /// </summary>
    public static void WriteJson(Stream stream, IReadOnlyList<CocoEvaluation> evaluations)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(evaluations);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        foreach (var e in evaluations)
        {
            json.WriteStartObject(Name(e.IouType));
            json.WriteStartArray("stats");
            foreach (double v in e.Stats) json.WriteNumberValue(v);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteStartObject("per_class");
        foreach (var e in evaluations)
        {
            json.WriteStartArray(Name(e.IouType));
            foreach (var c in e.PerClass)
            {
                json.WriteStartObject();
                json.WriteNumber("category_id", c.Category.Id);
                json.WriteString("name", c.Category.Name);
                json.WriteNumber("ap", c.Ap);
                json.WriteNumber("ap50", c.Ap50);
                json.WriteNumber("ap75", c.Ap75);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Writes <see cref="WriteJson(Stream, IReadOnlyList{CocoEvaluation})"/> to a file (temporary file, then rename).</summary>
    public static void WriteJson(string path, IReadOnlyList<CocoEvaluation> evaluations)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + ".tmp";
        using (var stream = File.Create(tmp)) WriteJson(stream, evaluations);
        File.Move(tmp, full, overwrite: true);
    }
}
