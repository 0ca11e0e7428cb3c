using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Model;

/// <summary>A checkpoint read for the model: its weights, sizes, settings, class names and load warnings.</summary>
/// <param name="Weights">The float32 weights (BatchNorm counters dropped).</param>
/// <param name="Architecture">The sizes inferred from the weights.</param>
/// <param name="Settings">The checkpoint's test settings with the caller's overrides applied.</param>
/// <param name="ClassNames">Class names from the checkpoint's metadata, or defaults.</param>
/// <param name="Warnings">Problems that did not stop loading.</param>
/// <param name="Format">The file's format.</param>
internal sealed record LoadedCheckpoint(WeightSet Weights, CondInstArchitecture Architecture, TestSettings Settings, IReadOnlyList<string> ClassNames,
    IReadOnlyList<string> Warnings, CheckpointFormat Format);

/// <summary>The one path from a checkpoint file to the model's <see cref="WeightSet"/>.</summary>
internal static class CheckpointLoader
{
    /// <summary>
    /// Reads <paramref name="path"/>, infers the architecture, binds every tensor against it (one error naming every
    /// missing, unexpected or misshapen weight) and converts the tensors to float32.
    /// </summary>
    public static LoadedCheckpoint Load(string path, ModelOptions? options = null)
    {
        using var checkpoint = Checkpoint.Load(path, options?.Limits);
        var arch = CondInstArchitecture.InferFrom(checkpoint.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Shape));
        checkpoint.Bind(arch.ExpectedParameters());
        var weights = new WeightSet(checkpoint.Tensors
            .Where(kv => !kv.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .Select(kv => new KeyValuePair<string, (int[], float[])>(kv.Key, (kv.Value.Shape, kv.Value.ToFloat32()))));
        var names = ClassNameResolver.FromMeta(checkpoint.Meta, arch.NumClasses);
        var settings = (options ?? new ModelOptions()).Apply(checkpoint.Settings);
        var warnings = new List<string>();
        // NaN or infinite weights make every score NaN, and NaN passes no threshold: zero instances, silently.
        var nonFinite = weights.Keys.Select(n => (Name: n, Count: weights.Get(n, weights.ShapeOf(n)).Count(v => !float.IsFinite(v)))).Where(x => x.Count > 0).ToList();
        if (nonFinite.Count > 0)
            warnings.Add($"{path}: {nonFinite.Count} tensor(s) hold NaN or infinite values ({string.Join(", ", nonFinite.Take(3).Select(x => $"'{x.Name}': {x.Count}"))}{(nonFinite.Count > 3 ? ", ..." : "")}); predictions will be empty or wrong");
        // Published files are named after their sha256 prefix: a mismatch means a truncated or different download.
        if (!CheckpointHash.MatchesDeclaredPrefix(path))
            warnings.Add($"{path}: sha256 starts with {CheckpointHash.Sha256Prefix(path)}, but the file name declares {CheckpointHash.DeclaredPrefix(path)} (truncated or different download?)");
        return new LoadedCheckpoint(weights, arch, settings, names, warnings, checkpoint.Format);
    }
}
