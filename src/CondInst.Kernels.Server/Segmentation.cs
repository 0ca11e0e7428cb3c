using System.Text.Encodings.Web;
using System.Text.Json;

namespace CondInst.Kernels.Server;

/// <summary>One detected instance as the server returns it.</summary>
/// <param name="X1">Left edge, original pixels.</param>
/// <param name="Y1">Top edge.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
/// <param name="Score">Detection score.</param>
/// <param name="Label">0-based class index.</param>
/// <param name="ClassName">Class name.</param>
/// <param name="MaskCounts">The full-size mask's COCO compressed RLE counts string.</param>
internal sealed record ServedInstance(float X1, float Y1, float X2, float Y2, float Score, int Label, string ClassName, string MaskCounts);

/// <summary>The detections of one image, in descending score order.</summary>
/// <param name="Width">Image width.</param>
/// <param name="Height">Image height.</param>
/// <param name="Detections">Instances.</param>
internal sealed record Segmentation(int Width, int Height, IReadOnlyList<ServedInstance> Detections)
{
    /// <summary>The model library's own result (opaque outside <see cref="ModelAdapter"/>).</summary>
    public ModelAdapter.NativeResult? Native { get; init; }

    /// <summary>
    /// The per-request parameters, applied to the model's output: instances under <paramref name="scoreThreshold"/>
    /// dropped, then at most <paramref name="maxDetections"/> kept. They can only tighten the model's own settings
    /// (its score_thr and max_per_img already applied).
    /// </summary>
    public Segmentation Filter(float? scoreThreshold, int? maxDetections)
    {
        IEnumerable<ServedInstance> kept = Detections;
        if (scoreThreshold is { } t) kept = kept.Where(d => d.Score >= t);
        if (maxDetections is { } m) kept = kept.Take(m);
        return this with { Detections = [.. kept] };
    }

    /// <summary>The mask of detection <paramref name="index"/> as COCO RLE JSON text: <c>{"size": [h, w], "counts": "..."}</c>.</summary>
    public string MaskJson(int index) =>
        $"{{\"size\": [{Height}, {Width}], \"counts\": {JsonSerializer.Serialize(Detections[index].MaskCounts, Readable)}}}";

    // Counts use the characters '0'..'o': only the backslash needs escaping, not '<', '>' or '`'.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
