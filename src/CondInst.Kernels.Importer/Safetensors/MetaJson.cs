using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CondInst.Kernels.Importer.Safetensors;

/// <summary>
/// Checkpoint meta as JSON, so <c>convert</c> can carry it in safetensors <c>__metadata__</c> (a string map).
/// Placeholders are written as their description (strings); non-finite doubles as the strings "nan", "inf", "-inf".
/// </summary>
internal static class MetaJson
{
    /// <summary>safetensors <c>__metadata__</c> key holding the checkpoint meta as JSON.</summary>
    public const string MetadataKey = "condinst.meta";

    public static string Write(IReadOnlyDictionary<string, object?> meta)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Value(w, meta);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static Dictionary<string, object?> Read(string json, string where)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 72 });
            return Convert(doc.RootElement) as Dictionary<string, object?>
                ?? throw new ImporterException($"{where}: {MetadataKey} must be a JSON object, found {doc.RootElement.ValueKind}");
        }
        catch (JsonException e)
        {
            throw new ImporterException($"{where}: {MetadataKey} is not valid JSON: {e.Message}", e);
        }
    }

    private static void Value(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null:
                w.WriteNullValue();
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                {
                    // Keep a decimal point so that 2.0 reads back as a double, not as the integer 2.
                    string text = d.ToString("R", CultureInfo.InvariantCulture);
                    w.WriteRawValue(text.AsSpan().IndexOfAny('.', 'E') < 0 ? text + ".0" : text);
                    break;
                }
            case double d:
                w.WriteStringValue(double.IsNaN(d) ? "nan" : d > 0 ? "inf" : "-inf");
                break;
            case IReadOnlyDictionary<string, object?> dict:
                w.WriteStartObject();
                foreach (var (k, x) in dict)
                {
                    w.WritePropertyName(k);
                    Value(w, x);
                }
                w.WriteEndObject();
                break;
            case IEnumerable<object?> list:
                w.WriteStartArray();
                foreach (var x in list) Value(w, x);
                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(System.Convert.ToString(v, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static object? Convert(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (d, p) =>
        {
            d[p.Name] = Convert(p.Value);
            return d;
        }),
        JsonValueKind.Array => e.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0 && e.TryGetInt64(out long l) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
