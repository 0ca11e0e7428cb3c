namespace CondInst.Kernels.Model;

/// <summary>
/// The model's weights as plain float32 arrays by state-dict key. The model reads only this; turning a file into
/// a <see cref="WeightSet"/> is done in one place (<see cref="CheckpointLoader"/>).
/// </summary>
public sealed class WeightSet
{
    private readonly Dictionary<string, (int[] Shape, float[] Data)> _tensors;

    /// <summary>Wraps tensors (key → shape and C-order data).</summary>
    public WeightSet(IEnumerable<KeyValuePair<string, (int[] Shape, float[] Data)>> tensors)
    {
        _tensors = new Dictionary<string, (int[], float[])>(StringComparer.Ordinal);
        foreach (var (key, value) in tensors)
        {
            long n = value.Shape.Aggregate(1L, (a, b) => a * b);
            if (n != value.Data.Length)
                throw new ArgumentException($"weight '{key}': shape {Tensor.Format(value.Shape)} needs {n} values, found {value.Data.Length}");
            _tensors[key] = value;
        }
    }

    /// <summary>Every key.</summary>
    public IEnumerable<string> Keys => _tensors.Keys;

    /// <summary>Shapes by key (what <see cref="CondInstArchitecture.InferFrom"/> needs).</summary>
    public IReadOnlyDictionary<string, int[]> Shapes => _tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Shape);

    /// <summary>The shape of <paramref name="key"/>.</summary>
    public int[] ShapeOf(string key) =>
        _tensors.TryGetValue(key, out var t) ? t.Shape : throw new KeyNotFoundException($"weight '{key}' is missing");

    /// <summary>True when <paramref name="key"/> exists.</summary>
    public bool Contains(string key) => _tensors.ContainsKey(key);

    /// <summary>The values of <paramref name="key"/>, which must have exactly <paramref name="shape"/>.</summary>
    public float[] Get(string key, params int[] shape)
    {
        if (!_tensors.TryGetValue(key, out var t))
            throw new KeyNotFoundException($"weight '{key}' is missing");
        if (!t.Shape.AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"weight '{key}' has shape {Tensor.Format(t.Shape)}, expected {Tensor.Format(shape)}");
        return t.Data;
    }

    /// <summary>All-zero weights of <paramref name="arch"/>'s shapes (for passes that need only the shapes).</summary>
    internal static WeightSet Zeros(CondInstArchitecture arch) => new(arch.ExpectedParameters()
        .Where(p => !p.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
        .Select(p => new KeyValuePair<string, (int[], float[])>(p.Name, (p.Shape, new float[p.Shape.Aggregate(1L, (a, b) => a * b)]))));

    /// <summary>
    /// Seeded random weights for <paramref name="arch"/> (every key of <see cref="CondInstArchitecture.ExpectedParameters"/>),
    /// scaled so that activations stay in range through the whole network: He-normal convolutions, BatchNorm with unit
    /// statistics, small biases, FCOS scales 1. For benchmarks and shape tests without a download.
    /// </summary>
    public static WeightSet Random(CondInstArchitecture arch, int seed)
    {
        var rng = new Random(seed);
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        var list = new List<KeyValuePair<string, (int[], float[])>>();
        foreach (var p in arch.ExpectedParameters())
        {
            if (p.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)) continue;
            long n = p.Shape.Aggregate(1L, (a, b) => a * b);
            var data = new float[n];
            string leaf = p.Name[(p.Name.LastIndexOf('.') + 1)..];
            if (p.Shape.Length == 4)
            {
                float std = MathF.Sqrt(2f / (p.Shape[1] * p.Shape[2] * p.Shape[3]));
                for (long i = 0; i < n; i++) data[i] = Normal() * std;
            }
            else if (leaf is "running_var" or "scale") Array.Fill(data, 1f);
            else if (leaf == "weight") for (long i = 0; i < n; i++) data[i] = 0.5f + (float)rng.NextDouble() * 0.5f;
            else if (leaf is "bias" or "running_mean") for (long i = 0; i < n; i++) data[i] = Normal() * 0.05f;
            list.Add(new(p.Name, (p.Shape, data)));
        }
        return new WeightSet(list);
    }
}
