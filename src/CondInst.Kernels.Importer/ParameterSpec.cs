namespace CondInst.Kernels.Importer;

/// <summary>A parameter the model expects: its name and shape (an empty shape is a scalar).</summary>
/// <param name="Name">State-dict key, e.g. <c>backbone.conv1.weight</c>.</param>
/// <param name="Shape">Expected dimensions.</param>
public sealed record ParameterSpec(string Name, int[] Shape);
