namespace CondInst.Kernels.Model;

/// <summary>Placeholder until the model lands.</summary>
internal static class ModelPlaceholder
{
}
