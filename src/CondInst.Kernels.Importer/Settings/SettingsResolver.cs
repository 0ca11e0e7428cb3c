using System.Globalization;
using System.Text.Json;

namespace CondInst.Kernels.Importer.Settings;

/// <summary>
/// Finds a checkpoint's test settings: in its meta config text (mmdetection's <c>meta['config']</c> or
/// <c>meta['cfg']</c>, also one or two dicts deeper), else in a JSON sidecar next to the weights, else the R-50
/// defaults. Values a source lacks are taken from the defaults, and <see cref="TestSettings.Source"/> says so.
/// </summary>
/// <remarks>
/// Sidecar: <c>WEIGHTS.json</c> (e.g. <c>model.pth.json</c>) or the weights' path with its extension replaced by
/// <c>.json</c> (<c>model.json</c>), the first that exists. Schema (every key optional; unknown keys are errors):
/// <code>
/// {
///   "scale": [1333, 800],     // test Resize scale; long side = max, short side = min
///   "score_thr": 0.05,        // model.test_cfg.score_thr
///   "nms_pre": 1000,          // model.test_cfg.nms_pre
///   "iou_threshold": 0.6,     // model.test_cfg.nms.iou_threshold
///   "max_per_img": 100,       // model.test_cfg.max_per_img
///   "mask_thr": 0.5           // model.test_cfg.mask_thr
/// }
/// </code>
/// The same JSON object is what <c>convert</c> stores in safetensors metadata under <see cref="MetadataKey"/>.
/// </remarks>
public static class SettingsResolver
{
    /// <summary>safetensors <c>__metadata__</c> key holding the settings JSON (schema above).</summary>
    public const string MetadataKey = "condinst.test_settings";

    /// <summary>safetensors <c>__metadata__</c> key holding where the settings came from originally.</summary>
    public const string SourceKey = "condinst.test_settings_source";

    /// <summary>Source text for settings read from a checkpoint's meta config.</summary>
    public const string MetaConfigSource = "checkpoint meta config";

    private static readonly string[] Fields = ["scale", "score_thr", "nms_pre", "iou_threshold", "max_per_img", "mask_thr"];

    /// <summary>The settings from config text (mmdetection pretty_text), or null when it holds none of them.</summary>
    /// <exception cref="ImporterException">The text passes a config limit of <paramref name="limits"/>, or its scale passes <see cref="ImporterLimits.MaxTestScale"/>.</exception>
    public static TestSettings? FromConfigText(string configText, string source = MetaConfigSource, ImporterLimits? limits = null)
    {
        limits ??= ImporterLimits.Default;
        var vars = ConfigText.Parse(configText, limits, source);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var model = vars.GetValueOrDefault("model") as Dictionary<string, object?>;
        // mmdet 3: model.test_cfg; some heads carry their own; mmdet 2 also allowed a top-level test_cfg.
        var cfgs = new[] { Get(model, "test_cfg"), Get(Get(model, "bbox_head"), "test_cfg"), Get(Get(model, "mask_head"), "test_cfg"), vars.GetValueOrDefault("test_cfg") }
            .OfType<Dictionary<string, object?>>().ToList();
        foreach (var cfg in cfgs)
        {
            Take(values, "score_thr", cfg.GetValueOrDefault("score_thr"));
            Take(values, "nms_pre", cfg.GetValueOrDefault("nms_pre"));
            Take(values, "max_per_img", cfg.GetValueOrDefault("max_per_img"));
            Take(values, "mask_thr", cfg.GetValueOrDefault("mask_thr"));
            var nms = Get(cfg, "nms") as Dictionary<string, object?>;
            Take(values, "iou_threshold", Get(nms, "iou_threshold") ?? Get(nms, "iou_thr"));
        }
        // The test pipeline's Resize: top-level test_pipeline, the test dataloader's, or mmdet 2's data.test.
        var pipelines = new[]
        {
            vars.GetValueOrDefault("test_pipeline"),
            Get(Get(vars.GetValueOrDefault("test_dataloader"), "dataset"), "pipeline"),
            Get(Get(Get(vars.GetValueOrDefault("data"), "test"), "pipeline"), null),
        };
        foreach (var p in pipelines) Take(values, "scale", FindScale(p, 0));
        return values.Count == 0 ? null : Build(values, source, limits);
    }

    /// <summary>The settings in a sidecar JSON file (schema in the remarks).</summary>
    /// <exception cref="ImporterException">Invalid JSON, an unknown key, or a value of the wrong type or range (naming the file and key).</exception>
    public static TestSettings FromJson(string json, string source, ImporterLimits? limits = null)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ImporterException($"{source}: expected a JSON object of test settings, found {doc.RootElement.ValueKind}");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!Fields.Contains(p.Name))
                    throw new ImporterException($"{source}: unknown key '{p.Name}'; expected {string.Join(", ", Fields)}");
                values[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.Number when p.Value.TryGetInt64(out long l) => l,
                    JsonValueKind.Number => p.Value.GetDouble(),
                    JsonValueKind.Array => p.Value.EnumerateArray().Select(e => e.TryGetInt64(out long x) ? (object?)x : e.ToString()).ToList(),
                    _ => throw new ImporterException($"{source}: '{p.Name}' must be a number{(p.Name == "scale" ? " pair" : "")}, found {p.Value.ValueKind}"),
                };
            }
        }
        catch (JsonException e)
        {
            throw new ImporterException($"{source}: not valid JSON: {e.Message}", e);
        }
        return Build(values, source, limits ?? ImporterLimits.Default);
    }

    /// <summary>The settings as the sidecar JSON object (the inverse of <see cref="FromJson"/>).</summary>
    public static string ToJson(TestSettings s) => FormattableString.Invariant(
        $"{{\"scale\": [{s.ScaleLong}, {s.ScaleShort}], \"score_thr\": {s.ScoreThreshold.ToString("R", CultureInfo.InvariantCulture)}, \"nms_pre\": {s.NmsPre}, \"iou_threshold\": {s.IouThreshold.ToString("R", CultureInfo.InvariantCulture)}, \"max_per_img\": {s.MaxPerImage}, \"mask_thr\": {s.MaskThreshold.ToString("R", CultureInfo.InvariantCulture)}}}");

    /// <summary>The sidecar paths looked for next to <paramref name="weightsPath"/>, in order.</summary>
    public static IEnumerable<string> SidecarCandidates(string weightsPath)
    {
        yield return weightsPath + ".json";
        string replaced = Path.ChangeExtension(weightsPath, ".json");
        if (replaced != weightsPath && replaced != weightsPath + ".json") yield return replaced;
    }

    /// <summary>Settings from the first existing sidecar of <paramref name="weightsPath"/>, or null.</summary>
    public static TestSettings? FromSidecar(string weightsPath, ImporterLimits? limits = null)
    {
        foreach (string candidate in SidecarCandidates(weightsPath))
        {
            if (!File.Exists(candidate)) continue;
            string text;
            try
            {
                text = File.ReadAllText(candidate);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ImporterException($"{candidate}: cannot read settings sidecar: {e.Message}", e);
            }
            return FromJson(text, $"sidecar {candidate}", limits);
        }
        return null;
    }

    /// <summary>Config text in checkpoint meta: key <c>config</c> or <c>cfg</c> at the top, else in nested dicts (breadth first, 3 levels).</summary>
    public static string? FindConfigText(IReadOnlyDictionary<string, object?> meta)
    {
        var level = new List<IReadOnlyDictionary<string, object?>> { meta };
        for (int depth = 0; depth < 3 && level.Count > 0; depth++)
        {
            foreach (var d in level)
            {
                foreach (string key in new[] { "config", "cfg" })
                {
                    if (d.TryGetValue(key, out var v) && v is string { Length: > 0 } text) return text;
                }
            }
            level = level.SelectMany(d => d.Values.OfType<IReadOnlyDictionary<string, object?>>()).Take(1000).ToList();
        }
        return null;
    }

    private static object? Get(object? dict, string? key) =>
        key is null ? dict : dict is Dictionary<string, object?> d ? d.GetValueOrDefault(key) : null;

    private static void Take(Dictionary<string, object?> values, string key, object? value)
    {
        if (value is null or ConfigUnknown || values.ContainsKey(key)) return;
        values[key] = value;
    }

    // The first Resize-like transform's scale in a pipeline (mmdet 3 `scale`, mmdet 2 `img_scale`), looking
    // inside MultiScaleFlipAug / TestTimeAug transform lists.
    private static object? FindScale(object? pipeline, int depth)
    {
        if (pipeline is not List<object?> steps || depth > 4) return null;
        foreach (var step in steps.OfType<Dictionary<string, object?>>())
        {
            string type = step.GetValueOrDefault("type") as string ?? "";
            if (type is "Resize" or "RandomResize" or "FixShapeResize" or "MultiScaleFlipAug")
            {
                var scale = step.GetValueOrDefault("scale") ?? step.GetValueOrDefault("img_scale");
                if (scale is List<object?> { Count: > 0 } many && many[0] is object?[] or List<object?>) scale = many[0];
                if (scale is not null) return scale;
            }
            if (FindScale(step.GetValueOrDefault("transforms"), depth + 1) is { } inner) return inner;
        }
        return null;
    }

    private static TestSettings Build(Dictionary<string, object?> values, string source, ImporterLimits limits)
    {
        var d = TestSettings.R50Defaults;
        var missing = Fields.Where(f => !values.ContainsKey(f)).ToList();
        int scaleLong = d.ScaleLong, scaleShort = d.ScaleShort;
        if (values.TryGetValue("scale", out var scale))
        {
            var pair = scale switch
            {
                object?[] a => a.ToList(),
                List<object?> l => l,
                long n => [n, n],
                _ => null,
            };
            if (pair is not { Count: 2 } || pair[0] is not long a0 || pair[1] is not long a1 || a0 <= 0 || a1 <= 0)
                throw new ImporterException($"{source}: scale must be two positive integers (e.g. [1333, 800]), found {Describe(scale)}");
            if (Math.Max(a0, a1) > limits.MaxTestScale)
                throw new ImporterException($"{source}: scale {Describe(scale)} {ImporterLimits.Exceeds(nameof(ImporterLimits.MaxTestScale), limits.MaxTestScale, "--max-test-scale")}");
            scaleLong = (int)Math.Max(a0, a1);
            scaleShort = (int)Math.Min(a0, a1);
        }
        string suffix = missing.Count == 0 || missing.Count == Fields.Length ? "" : $" (defaults for {string.Join(", ", missing)})";
        return new TestSettings(
            scaleLong, scaleShort,
            Fraction(values, "score_thr", d.ScoreThreshold, source),
            Count(values, "nms_pre", d.NmsPre, source),
            Fraction(values, "iou_threshold", d.IouThreshold, source),
            Count(values, "max_per_img", d.MaxPerImage, source),
            Fraction(values, "mask_thr", d.MaskThreshold, source),
            source + suffix);
    }

    private static float Fraction(Dictionary<string, object?> values, string key, float fallback, string source)
    {
        if (!values.TryGetValue(key, out var v)) return fallback;
        double x = v switch
        {
            long l => l,
            double dd => dd,
            _ => throw new ImporterException($"{source}: {key} must be a number in [0, 1], found {Describe(v)}"),
        };
        return x is >= 0 and <= 1 ? (float)x : throw new ImporterException($"{source}: {key} must be in [0, 1], found {x.ToString(CultureInfo.InvariantCulture)}");
    }

    private static int Count(Dictionary<string, object?> values, string key, int fallback, string source)
    {
        if (!values.TryGetValue(key, out var v)) return fallback;
        // A bound is required: the post-processing sizes its buffers from these counts.
        return v is long l && l >= 1 && l <= 1_000_000 ? (int)l
            : throw new ImporterException($"{source}: {key} must be an integer from 1 to 1000000, found {Describe(v)}");
    }

    private static string Describe(object? v) => v switch
    {
        null => "None",
        string s => $"'{s}'",
        object?[] a => "(" + string.Join(", ", a.Select(Describe)) + ")",
        List<object?> l => "[" + string.Join(", ", l.Select(Describe)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "?",
    };
}
