namespace CondInst.Kernels.Coco;

/// <summary>An entry of an annotation file's <c>images</c>.</summary>
/// <param name="Id">The image id results refer to.</param>
/// <param name="FileName">The image file's name (<c>file_name</c>), or null when the file has none.</param>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
public sealed record CocoImage(long Id, string? FileName, int Width, int Height);

/// <summary>An entry of an annotation file's <c>categories</c>.</summary>
/// <param name="Id">Category id.</param>
/// <param name="Name">Category name.</param>
public sealed record CocoCategory(long Id, string Name);

/// <summary>
/// A region: polygons (image pixels, [x0, y0, x1, y1, …] each) or run lengths. Polygons become a mask only when
/// asked (<see cref="ToRle"/>), as pycocotools' <c>annToRLE</c> does.
/// </summary>
public sealed class CocoSegmentation
{
    private CocoSegmentation(IReadOnlyList<double[]>? polygons, RleMask? rle)
    {
        Polygons = polygons;
        Rle = rle;
    }

    /// <summary>The polygons, or null for a run-length region.</summary>
    public IReadOnlyList<double[]>? Polygons { get; }

    /// <summary>The run lengths, or null for a polygon region.</summary>
    public RleMask? Rle { get; }

    /// <summary>A polygon region.</summary>
    public static CocoSegmentation FromPolygons(IReadOnlyList<double[]> polygons) => new(polygons, null);

    /// <summary>A run-length region.</summary>
    public static CocoSegmentation FromRle(RleMask rle) => new(null, rle);

    /// <summary>The region as a mask of the image's size (polygons rasterised as pycocotools does).</summary>
    public RleMask ToRle(int height, int width) => Rle ?? PolygonRasterizer.FromPolygons(Polygons!, height, width);
}

/// <summary>A ground-truth object of an annotation file.</summary>
/// <param name="Id">Annotation id.</param>
/// <param name="ImageId">Its image.</param>
/// <param name="CategoryId">Its category.</param>
/// <param name="Box">[x, y, w, h], or null when the file has none (then it cannot be scored as bbox).</param>
/// <param name="Area">The file's <c>area</c>: it, not the mask, decides the small/medium/large range.</param>
/// <param name="IsCrowd">A crowd region: never a false negative, and matching it is neither a hit nor a miss.</param>
/// <param name="Segmentation">The region, or null when the file has none (then it cannot be scored as segm).</param>
public sealed record CocoAnnotation(long Id, long ImageId, long CategoryId, double[]? Box, double Area, bool IsCrowd, CocoSegmentation? Segmentation);

/// <summary>A detection of a results file.</summary>
/// <param name="Index">Position in the results file (0-based); pycocotools numbers detections from it.</param>
/// <param name="ImageId">Its image.</param>
/// <param name="CategoryId">Its category.</param>
/// <param name="Score">Confidence: detections are ranked by it.</param>
/// <param name="Box">[x, y, w, h].</param>
/// <param name="Area">The area that decides its size range (pycocotools: the box's w·h when results carry boxes, else the mask's).</param>
/// <param name="Segmentation">The region (results with boxes only get the box as a polygon, as pycocotools).</param>
public sealed record CocoDetection(int Index, long ImageId, long CategoryId, double Score, double[] Box, double Area, CocoSegmentation Segmentation);
