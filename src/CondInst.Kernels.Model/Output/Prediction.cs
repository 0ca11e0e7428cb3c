namespace CondInst.Kernels.Model;

/// <summary>One detected instance, in original-image pixels.</summary>
/// <param name="X1">Left edge.</param>
/// <param name="Y1">Top edge.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
/// <param name="Score">cls probability × centerness probability.</param>
/// <param name="Label">0-based class index.</param>
/// <param name="ClassName">Class name from the checkpoint's metadata (or COCO's names).</param>
/// <param name="Mask">Binary mask, Height × Width bytes (0 or 1), row-major, at the original image size.</param>
public sealed record Instance(float X1, float Y1, float X2, float Y2, float Score, int Label, string ClassName, byte[] Mask);

/// <summary>The result of one image: instances in descending score order, with the image's geometry.</summary>
/// <param name="Name">Image name (file name without extension) or the name given.</param>
/// <param name="Geometry">Original, resized and padded sizes and scale factors.</param>
/// <param name="Instances">Detections.</param>
public sealed record Prediction(string Name, ImageGeometry Geometry, IReadOnlyList<Instance> Instances)
{
    /// <summary>Original image width.</summary>
    public int Width => Geometry.OriginalWidth;

    /// <summary>Original image height.</summary>
    public int Height => Geometry.OriginalHeight;
}
