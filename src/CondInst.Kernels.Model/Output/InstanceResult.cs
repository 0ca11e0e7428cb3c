namespace CondInst.Kernels.Model;

/// <summary>One detected instance, in original-image pixels (mmdetection's <c>pred_instances</c> row, docs/INFERENCE.md#result).</summary>
/// <param name="X1">Left edge.</param>
/// <param name="Y1">Top edge.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
/// <param name="Score">Detection score (class probability × centerness).</param>
/// <param name="Label">Contiguous class index, 0-based.</param>
/// <param name="ClassName">Class name for display.</param>
/// <param name="Mask">The instance mask at the original image size.</param>
public sealed record InstanceResult(float X1, float Y1, float X2, float Y2, float Score, int Label, string ClassName, CocoRle Mask);
