namespace CondInst.Kernels.Model;

/// <summary>One instance to draw on an overlay.</summary>
/// <param name="Mask">Row-major H×W mask of the image's size; non-zero bytes are the instance.</param>
/// <param name="X1">Box left edge, original pixels.</param>
/// <param name="Y1">Box top edge.</param>
/// <param name="X2">Box right edge.</param>
/// <param name="Y2">Box bottom edge.</param>
/// <param name="Label">Class index (0-based).</param>
/// <param name="Text">Caption drawn above the box (e.g. the class name and score); null or empty draws none.</param>
public sealed record OverlayInstance(byte[] Mask, float X1, float Y1, float X2, float Y2, int Label, string? Text);
