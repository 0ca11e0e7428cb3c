namespace CondInst.Kernels.Importer;

/// <summary>
/// Test-time settings of a model (mmdetection's test pipeline scale and <c>model.test_cfg</c>) and where they came from.
/// </summary>
/// <param name="ScaleLong">Long side of the Resize scale (1333 for the R-50).</param>
/// <param name="ScaleShort">Short side of the Resize scale (800 for the R-50).</param>
/// <param name="ScoreThreshold">score_thr (0.05).</param>
/// <param name="NmsPre">nms_pre, per level (1000).</param>
/// <param name="IouThreshold">nms iou_threshold (0.6).</param>
/// <param name="MaxPerImage">max_per_img (100).</param>
/// <param name="MaskThreshold">mask_thr (0.5).</param>
/// <param name="Source">Where these values came from: "checkpoint meta config", "sidecar FILE", "defaults (R-50 spec)", "command line".</param>
public sealed record TestSettings(int ScaleLong, int ScaleShort, float ScoreThreshold, int NmsPre, float IouThreshold, int MaxPerImage, float MaskThreshold, string Source)
{
    /// <summary>The R-50 defaults (docs/INFERENCE.md#constants).</summary>
    public static TestSettings R50Defaults { get; } = new(1333, 800, 0.05f, 1000, 0.6f, 100, 0.5f, "defaults (R-50 spec)");

    /// <summary>One line: <c>scale (1333, 800), score_thr 0.05, nms_pre 1000, iou_threshold 0.6, max_per_img 100, mask_thr 0.5</c>.</summary>
    public string Describe() => FormattableString.Invariant(
        $"scale ({ScaleLong}, {ScaleShort}), score_thr {ScoreThreshold}, nms_pre {NmsPre}, iou_threshold {IouThreshold}, max_per_img {MaxPerImage}, mask_thr {MaskThreshold}");
}
