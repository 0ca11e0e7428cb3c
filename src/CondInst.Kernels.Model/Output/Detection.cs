namespace CondInst.Kernels.Model;

/// <summary>One detected instance in original-image pixels (mmdetection's <c>pred_instances</c> row).</summary>
/// <param name="X1">Box left edge.</param>
/// <param name="Y1">Box top edge.</param>
/// <param name="X2">Box right edge.</param>
/// <param name="Y2">Box bottom edge.</param>
/// <param name="Score">Detection score: class probability × centerness probability.</param>
/// <param name="Label">Contiguous class index, 0-based.</param>
/// <param name="ClassName">Class name from the checkpoint's metadata (or COCO's names).</param>
/// <param name="Mask">The instance mask, stored compactly (<see cref="CompactMask.ToFullMask"/> gives the full one).</param>
public sealed record Detection(float X1, float Y1, float X2, float Y2, float Score, int Label, string ClassName, CompactMask Mask)
{
    /// <summary>The full row-major H×W mask of the image's size, 0 or 1 per pixel.</summary>
    public byte[] ToFullMask() => Mask.ToFullMask();

    /// <summary>The mask in COCO's compressed run-length form.</summary>
    public CocoRle ToRle() => Mask.ToRle();

    /// <summary>
    /// This instance as one COCO results entry (<see cref="CocoResultsWriter"/>'s form, byte for byte):
    /// <c>{"image_id": …, "file_name": …, "category_id": …, "label": …, "bbox": […], "score": …, "segmentation": {…}}</c>.
    /// </summary>
    public string ToCocoJson(string imageId, string fileName, int numClasses) =>
        CocoResultsWriter.ToJson(json => CocoResultsWriter.WriteInstance(json, imageId, fileName, this, numClasses, $"image '{imageId}'"));
}

/// <summary>Everything found in one image: instances in descending score order, with the image's geometry.</summary>
/// <param name="ImageId">The image's id in results: its file name without the extension, or the name given.</param>
/// <param name="FileName">The image's file name (or the name given).</param>
/// <param name="Geometry">Original, resized and padded sizes and scale factors.</param>
/// <param name="NumClasses">The model's class count (decides the COCO category ids written).</param>
/// <param name="Instances">The detections.</param>
public sealed record DetectionResult(string ImageId, string FileName, ImageGeometry Geometry, int NumClasses, IReadOnlyList<Detection> Instances)
{
    /// <summary>Original image width (after the EXIF transpose).</summary>
    public int Width => Geometry.OriginalWidth;

    /// <summary>Original image height (after the EXIF transpose).</summary>
    public int Height => Geometry.OriginalHeight;

    /// <summary>This image's entries of a COCO results file, as a JSON array (what results.json holds for it, byte for byte).</summary>
    public string ToCocoJson() => CocoResultsWriter.ToJson(json =>
    {
        json.WriteStartArray();
        CocoResultsWriter.WriteImage(json, this);
        json.WriteEndArray();
    });
}
