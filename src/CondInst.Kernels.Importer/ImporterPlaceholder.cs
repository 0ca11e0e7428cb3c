namespace CondInst.Kernels.Importer;

/// <summary>Placeholder until the importer lands.</summary>
internal static class ImporterPlaceholder
{
}
