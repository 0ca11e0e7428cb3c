namespace CondInst.Kernels.Model;

/// <summary>
/// A binary mask in COCO's compressed run-length form, as pycocotools' <c>mask.encode</c> returns it
/// (<c>{"size": [h, w], "counts": "..."}</c>, counts decoded to text).
/// </summary>
/// <param name="Height">Mask height (rows).</param>
/// <param name="Width">Mask width (columns).</param>
/// <param name="Counts">The compressed counts string (characters '0'..'o').</param>
public sealed record CocoRle(int Height, int Width, string Counts);
