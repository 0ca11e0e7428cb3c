namespace CondInst.Kernels.Server;

/// <summary>One image of a request: an encoded file (BYTES element) or RGB pixels (UINT8 [h, w, 3]).</summary>
/// <param name="Encoded">The image file's bytes, or null.</param>
/// <param name="Rgb">HWC RGB pixels, or null.</param>
/// <param name="Width">Pixel width (with <paramref name="Rgb"/>).</param>
/// <param name="Height">Pixel height (with <paramref name="Rgb"/>).</param>
internal sealed record ImageInput(byte[]? Encoded, byte[]? Rgb, int Width, int Height);

/// <summary>An inference request, whichever protocol brought it.</summary>
/// <param name="Id">The request id (echoed), or null.</param>
/// <param name="Images">The images, in order.</param>
/// <param name="ScoreThreshold">Parameter score_threshold, or null.</param>
/// <param name="MaxDetections">Parameter max_detections, or null.</param>
/// <param name="Outputs">Requested output names; null means all.</param>
internal sealed record InferCall(string? Id, IReadOnlyList<ImageInput> Images, float? ScoreThreshold, int? MaxDetections, IReadOnlyList<string>? Outputs);

/// <summary>An output tensor; exactly one of the data arrays is set, by datatype.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="Datatype">FP32, INT32 or BYTES.</param>
/// <param name="Shape">Shape.</param>
/// <param name="Fp32">FP32 data.</param>
/// <param name="Int32">INT32 data.</param>
/// <param name="Bytes">BYTES data (UTF-8 text elements).</param>
internal sealed record OutputTensor(string Name, string Datatype, long[] Shape, float[]? Fp32 = null, int[]? Int32 = null, string[]? Bytes = null);

/// <summary>
/// The model's tensors in the Open Inference Protocol: names, datatypes and shapes (the metadata both protocols
/// report), the request parameters, and the conversion of segmentations into output tensors.
/// </summary>
internal static class OipTensors
{
    /// <summary>The one input.</summary>
    public const string Image = "image";

    /// <summary>Parameter: drop instances scoring below this (can only raise the model's own threshold).</summary>
    public const string ScoreThreshold = "score_threshold";

    /// <summary>Parameter: keep at most this many instances per image (can only lower the model's own cap).</summary>
    public const string MaxDetections = "max_detections";

    /// <summary>Input tensors: (name, datatype, shape); -1 is a variable dimension.</summary>
    public static readonly (string Name, string Datatype, long[] Shape)[] Inputs = [(Image, "BYTES", [-1]), (Image, "UINT8", [-1, -1, 3])];

    /// <summary>Output tensors, concatenated over the request's images; image_index says which image a row belongs to.</summary>
    public static readonly (string Name, string Datatype, long[] Shape)[] Outputs =
        [("boxes", "FP32", [-1, 4]), ("scores", "FP32", [-1]), ("labels", "INT32", [-1]), ("masks", "BYTES", [-1]), ("image_index", "INT32", [-1])];

    /// <summary>The requested outputs of <paramref name="results"/> (all when <paramref name="requested"/> is null).</summary>
    public static IReadOnlyList<OutputTensor> ToOutputs(IReadOnlyList<Segmentation> results, IReadOnlyList<string>? requested)
    {
        int n = results.Sum(r => r.Detections.Count);
        var boxes = new float[4 * n];
        var scores = new float[n];
        var labels = new int[n];
        var masks = new string[n];
        var index = new int[n];
        int k = 0;
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            for (int j = 0; j < r.Detections.Count; j++, k++)
            {
                var d = r.Detections[j];
                (boxes[4 * k], boxes[4 * k + 1], boxes[4 * k + 2], boxes[4 * k + 3]) = (d.X1, d.Y1, d.X2, d.Y2);
                scores[k] = d.Score;
                labels[k] = d.Label;
                masks[k] = r.MaskJson(j);
                index[k] = i;
            }
        }
        var all = new OutputTensor[]
        {
            new("boxes", "FP32", [n, 4], Fp32: boxes),
            new("scores", "FP32", [n], Fp32: scores),
            new("labels", "INT32", [n], Int32: labels),
            new("masks", "BYTES", [n], Bytes: masks),
            new("image_index", "INT32", [n], Int32: index),
        };
        if (requested is null || requested.Count == 0) return all;
        CheckRequestedOutputs(requested);
        return [.. all.Where(t => requested.Contains(t.Name))];
    }

    /// <summary>Refuses output names the model does not have (before any work is done).</summary>
    public static void CheckRequestedOutputs(IReadOnlyList<string>? requested)
    {
        foreach (var name in requested ?? [])
            if (Outputs.All(t => t.Name != name))
                throw ServeException.BadInput($"output '{name}' does not exist; outputs are {string.Join(", ", Outputs.Select(t => t.Name))}");
    }

    /// <summary>Checks an input tensor's name, datatype and shape and returns its element count (images).</summary>
    public static int CheckInput(string name, string datatype, IReadOnlyList<long> shape)
    {
        if (name != Image) throw ServeException.BadInput($"input '{name}' is unknown; the model's input is '{Image}'");
        string dims = $"[{string.Join(", ", shape)}]";
        switch (datatype)
        {
            case "BYTES":
                if (shape.Count != 1 || shape[0] < 1 || shape[0] > 1024)
                    throw ServeException.BadInput($"input '{Image}': BYTES shape must be [n] with 1 <= n <= 1024 (one encoded image per element), found {dims}");
                return (int)shape[0];
            case "UINT8":
                if (shape.Count != 3 || shape[2] != 3 || shape[0] < 1 || shape[1] < 1 || shape[0] > 16384 || shape[1] > 16384)
                    throw ServeException.BadInput($"input '{Image}': UINT8 shape must be [h, w, 3] (RGB, each side 1..16384), found {dims}");
                return 1;
            default:
                throw ServeException.BadInput($"input '{Image}': datatype {datatype} is not accepted; send BYTES [n] (encoded image files) or UINT8 [h, w, 3] (RGB pixels)");
        }
    }
}
