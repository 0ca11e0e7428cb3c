namespace CondInst.Kernels.Model;

/// <summary>Boxes from resized-image pixels back to original-image pixels.</summary>
internal static class BoxRescale
{
    /// <summary>
    /// x1, y1, x2, y2 rows divided by the per-axis scale factors as float32 (mmdetection's <c>bboxes /
    /// scale_factor</c> on a float32 tensor); no clipping to the image.
    /// </summary>
    public static float[] ToOriginal(ReadOnlySpan<float> boxes, ImageGeometry g)
    {
        float sx = (float)g.ScaleX, sy = (float)g.ScaleY;
        var result = new float[boxes.Length];
        for (int i = 0; i + 3 < boxes.Length; i += 4)
        {
            result[i] = boxes[i] / sx;
            result[i + 1] = boxes[i + 1] / sy;
            result[i + 2] = boxes[i + 2] / sx;
            result[i + 3] = boxes[i + 3] / sy;
        }
        return result;
    }
}
