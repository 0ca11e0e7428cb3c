namespace CondInst.Kernels.Model;

/// <summary>All instances found in one image.</summary>
/// <param name="ImageId">The image id written to results (the file name without extension).</param>
/// <param name="FileName">The image's file name.</param>
/// <param name="Width">Original image width (after EXIF transpose).</param>
/// <param name="Height">Original image height (after EXIF transpose).</param>
/// <param name="Instances">Instances in the model's output order (descending score).</param>
public sealed record ImageResult(string ImageId, string FileName, int Width, int Height, IReadOnlyList<InstanceResult> Instances);
