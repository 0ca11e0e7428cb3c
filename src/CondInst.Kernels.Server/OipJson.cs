using System.Text.Json;

namespace CondInst.Kernels.Server;

/// <summary>The REST (JSON) form of the protocol's inference request and response.</summary>
internal static class OipJson
{
    /// <summary>Parses an inference request body; anything malformed is <see cref="ServeException.BadInput"/> naming the field.</summary>
    public static InferCall ParseInfer(byte[] body)
    {
        if (body.Length == 0) throw ServeException.BadInput("the request body is empty; expected an inference request (JSON object with \"inputs\")");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw ServeException.BadInput($"the request body is not JSON: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw ServeException.BadInput($"the request body must be a JSON object, found {root.ValueKind}");
            string? id = root.TryGetProperty("id", out var idElement) ? Text(idElement, "id") : null;
            float? scoreThreshold = null;
            int? maxDetections = null;
            if (root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind != JsonValueKind.Null)
            {
                if (parameters.ValueKind != JsonValueKind.Object) throw ServeException.BadInput("\"parameters\" must be an object");
                if (parameters.TryGetProperty(OipTensors.ScoreThreshold, out var t)) scoreThreshold = (float)Number(t, $"parameters.{OipTensors.ScoreThreshold}");
                if (parameters.TryGetProperty(OipTensors.MaxDetections, out var m)) maxDetections = Count(Number(m, $"parameters.{OipTensors.MaxDetections}"), $"parameters.{OipTensors.MaxDetections}");
            }
            if (!root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() != 1)
                throw ServeException.BadInput($"\"inputs\" must be an array of exactly one tensor named '{OipTensors.Image}'");
            var images = ParseInput(inputs[0]);
            List<string>? outputs = null;
            if (root.TryGetProperty("outputs", out var requested) && requested.ValueKind != JsonValueKind.Null)
            {
                if (requested.ValueKind != JsonValueKind.Array) throw ServeException.BadInput("\"outputs\" must be an array");
                outputs = [.. requested.EnumerateArray().Select((o, i) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty("name", out var n)
                    ? Text(n, $"outputs[{i}].name") : throw ServeException.BadInput($"outputs[{i}] must be an object with a \"name\""))];
            }
            return new InferCall(id, images, scoreThreshold, maxDetections, outputs);
        }
    }

    private static List<ImageInput> ParseInput(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object) throw ServeException.BadInput("inputs[0] must be an object");
        string name = input.TryGetProperty("name", out var n) ? Text(n, "inputs[0].name") : throw ServeException.BadInput("inputs[0] has no \"name\"");
        string datatype = input.TryGetProperty("datatype", out var dt) ? Text(dt, "inputs[0].datatype") : throw ServeException.BadInput("inputs[0] has no \"datatype\"");
        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw ServeException.BadInput("inputs[0] has no \"shape\" array");
        var shape = shapeElement.EnumerateArray().Select((d, i) => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out long v)
            ? v : throw ServeException.BadInput($"inputs[0].shape[{i}] must be an integer")).ToList();
        int count = OipTensors.CheckInput(name, datatype, shape);
        if (!input.TryGetProperty("data", out var data)) throw ServeException.BadInput($"input '{name}' has no \"data\"");
        var flat = new List<JsonElement>();
        Flatten(data, flat, 0);
        if (datatype == "BYTES")
        {
            if (flat.Count != count) throw ServeException.BadInput($"input '{name}': shape [{count}] needs {count} data element(s), found {flat.Count}");
            var images = new List<ImageInput>(count);
            for (int i = 0; i < count; i++)
            {
                string text = flat[i].ValueKind == JsonValueKind.String ? flat[i].GetString()! : throw ServeException.BadInput($"input '{name}': data[{i}] must be a base64 string");
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(text);
                }
                catch (FormatException)
                {
                    throw ServeException.BadInput($"input '{name}': data[{i}] is not base64 text (expected the encoded image file in base64)");
                }
                images.Add(new ImageInput(bytes, null, 0, 0));
            }
            return images;
        }
        int h = (int)shape[0], w = (int)shape[1];
        long expected = (long)h * w * 3;
        if (flat.Count != expected) throw ServeException.BadInput($"input '{name}': shape [{h}, {w}, 3] needs {expected} values, found {flat.Count}");
        var rgb = new byte[expected];
        for (int i = 0; i < rgb.Length; i++)
        {
            if (flat[i].ValueKind != JsonValueKind.Number || !flat[i].TryGetInt32(out int v) || v < 0 || v > 255)
                throw ServeException.BadInput($"input '{name}': data[{i}] must be an integer 0..255 (UINT8)");
            rgb[i] = (byte)v;
        }
        return [new ImageInput(null, rgb, w, h)];
    }

    // The protocol allows data flattened or nested like the shape; both are taken, row-major.
    private static void Flatten(JsonElement e, List<JsonElement> into, int depth)
    {
        if (e.ValueKind != JsonValueKind.Array) throw ServeException.BadInput("an input's \"data\" must be an array");
        foreach (var x in e.EnumerateArray())
        {
            if (x.ValueKind == JsonValueKind.Array && depth < 4) Flatten(x, into, depth + 1);
            else into.Add(x);
        }
    }

    private static string Text(JsonElement e, string field) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw ServeException.BadInput($"\"{field}\" must be a string, found {e.ValueKind}");

    private static double Number(JsonElement e, string field) =>
        e.ValueKind == JsonValueKind.Number && double.IsFinite(e.GetDouble()) ? e.GetDouble() : throw ServeException.BadInput($"\"{field}\" must be a number, found {e.ValueKind}");

    /// <summary>A non-negative whole count (max_detections) from a number.</summary>
    public static int Count(double v, string field) =>
        v >= 0 && v <= int.MaxValue && Math.Floor(v) == v ? (int)v : throw ServeException.BadInput($"\"{field}\" must be a whole number >= 0, found {v}");

    /// <summary>Writes the inference response.</summary>
    public static void WriteInfer(Utf8JsonWriter json, string modelName, string? id, IReadOnlyList<OutputTensor> outputs)
    {
        json.WriteStartObject();
        json.WriteString("model_name", modelName);
        json.WriteString("model_version", ModelService.Version);
        if (id is not null) json.WriteString("id", id);
        json.WriteStartArray("outputs");
        foreach (var t in outputs)
        {
            json.WriteStartObject();
            json.WriteString("name", t.Name);
            json.WriteString("datatype", t.Datatype);
            json.WriteStartArray("shape");
            foreach (long d in t.Shape) json.WriteNumberValue(d);
            json.WriteEndArray();
            json.WriteStartArray("data");
            if (t.Fp32 is { } f) foreach (float v in f) json.WriteNumberValue(v);
            if (t.Int32 is { } n) foreach (int v in n) json.WriteNumberValue(v);
            if (t.Bytes is { } b) foreach (string v in b) json.WriteStringValue(v);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Writes the model metadata.</summary>
    public static void WriteModelMetadata(Utf8JsonWriter json, string name)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteStartArray("versions");
        json.WriteStringValue(ModelService.Version);
        json.WriteEndArray();
        json.WriteString("platform", ModelService.Platform);
        Tensors(json, "inputs", OipTensors.Inputs);
        Tensors(json, "outputs", OipTensors.Outputs);
        json.WriteEndObject();
    }

    private static void Tensors(Utf8JsonWriter json, string property, (string Name, string Datatype, long[] Shape)[] tensors)
    {
        json.WriteStartArray(property);
        foreach (var (name, datatype, shape) in tensors)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("datatype", datatype);
            json.WriteStartArray("shape");
            foreach (long d in shape) json.WriteNumberValue(d);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
