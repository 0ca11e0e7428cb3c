using System.Text;

namespace CondInst.Kernels.Importer;

/// <summary>Compares a state dict with the parameters a model expects and reports every difference in one exception.</summary>
internal static class StateDictBinder
{
    private const string Ignored = "num_batches_tracked";

    public static void Check(string file, IReadOnlyDictionary<string, CheckpointTensor> tensors, IEnumerable<ParameterSpec> expected)
    {
        var missing = new List<string>();
        var shapes = new List<string>();
        var dtypes = new List<string>();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in expected)
        {
            if (IsIgnored(spec.Name) || !wanted.Add(spec.Name)) continue;
            if (!tensors.TryGetValue(spec.Name, out var t))
            {
                missing.Add($"{spec.Name} {CheckpointTensor.FormatShape(spec.Shape)}");
                continue;
            }
            if (!t.Shape.AsSpan().SequenceEqual(spec.Shape))
                shapes.Add($"{spec.Name}: expected {CheckpointTensor.FormatShape(spec.Shape)}, found {CheckpointTensor.FormatShape(t.Shape)}");
            if (!t.DType.IsFloat())
                dtypes.Add($"{spec.Name}: expected a float type, found {t.DType.TorchName()}");
        }
        var unexpected = tensors.Values.Where(t => !IsIgnored(t.Name) && !wanted.Contains(t.Name))
            .Select(t => $"{t.Name} {t.DType.TorchName()} {CheckpointTensor.FormatShape(t.Shape)}").ToList();
        int problems = missing.Count + unexpected.Count + shapes.Count + dtypes.Count;
        if (problems == 0) return;

        var sb = new StringBuilder($"{file}: the state dict does not match the model ({problems} problem{(problems == 1 ? "" : "s")}: ");
        sb.Append($"{missing.Count} missing, {unexpected.Count} unexpected, {shapes.Count} shape mismatches, {dtypes.Count} non-float)");
        Section(sb, "missing keys (expected, not in the checkpoint)", missing);
        Section(sb, "unexpected keys (in the checkpoint, not expected)", unexpected);
        Section(sb, "shape mismatches", shapes);
        Section(sb, "non-float dtypes", dtypes);
        throw new ImporterException(sb.ToString());
    }

    private static bool IsIgnored(string name) => name == Ignored || name.EndsWith("." + Ignored, StringComparison.Ordinal);

    private static void Section(StringBuilder sb, string title, List<string> lines)
    {
        if (lines.Count == 0) return;
        sb.Append($"\n  {title}:");
        foreach (string line in lines) sb.Append("\n    ").Append(line);
    }
}
