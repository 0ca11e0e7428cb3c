using BenchmarkDotNet.Attributes;

namespace CondInst.Kernels.Benchmarks;

/// <summary>Nominal work of one invocation: floating-point operations and the bytes it must at least read and write.</summary>
/// <param name="Flop">Floating-point operations (0 where counting them means nothing: copies, selections).</param>
/// <param name="Bytes">Minimum memory traffic: every input read once, every output written once.</param>
public readonly record struct Work(double Flop, double Bytes);

/// <summary>
/// One shape of one op family: how to set it up on an engine backend (returns the action to time, which waits for
/// the device), how much work it is, and optionally the same shape as a one-node ONNX Runtime model.
/// </summary>
/// <param name="Name">Shown in the Case column.</param>
/// <param name="Work">Work per invocation.</param>
/// <param name="Engine">Set-up on a backend; disposables go into the list; returns the timed action.</param>
/// <param name="Ort">The ONNX Runtime peer of the same shape, or null.</param>
public sealed record KernelCase(string Name, Work Work, Func<IBackend, List<IDisposable>, Action> Engine, Func<OrtOneNode>? Ort = null);

/// <summary>
/// Base of the kernel benchmark classes (one per op family): parameterised over the backends present
/// (<see cref="KernelBackends"/>) and the family's cases; one <see cref="Run"/> per case and backend. Each class
/// lists its cases; with <see cref="OrtPeers"/> the ONNX Runtime one-node model of the same shape runs as
/// backend <c>onnxruntime</c> in the same run.
/// </summary>
public abstract class KernelBenchmark
{
    private readonly List<IDisposable> _resources = [];
    private IBackend? _backend;
    private Action _run = () => throw new InvalidOperationException("GlobalSetup has not run");

    /// <summary>Engine device id, or <c>onnxruntime</c>.</summary>
    [ParamsSource(nameof(BackendIds))]
    public string Backend { get; set; } = "cpu";

    /// <summary>Which shape of the family.</summary>
    [ParamsSource(nameof(CaseNames))]
    public string Case { get; set; } = "";

    /// <summary>The backends to run this family on.</summary>
    public IEnumerable<string> BackendIds => KernelBackends.List(OrtPeers);

    /// <summary>The case names.</summary>
    public IEnumerable<string> CaseNames => Cases.Select(c => c.Name);

    /// <summary>The family's shapes.</summary>
    protected abstract IReadOnlyList<KernelCase> Cases { get; }

    /// <summary>True when every case has an ONNX Runtime peer.</summary>
    protected virtual bool OrtPeers => false;

    /// <summary>The work of the current case (for the GFLOP/s and GB/s columns).</summary>
    public Work WorkOf() => Current.Work;

    private KernelCase Current => Cases.FirstOrDefault(c => c.Name == Case)
        ?? throw new ArgumentException($"{GetType().Name}: unknown case '{Case}'; cases: {string.Join(", ", CaseNames)}");

    [GlobalSetup]
    public void Setup()
    {
        var c = Current;
        if (Backend == KernelBackends.OnnxRuntime)
        {
            var peer = (c.Ort ?? throw new NotSupportedException($"{GetType().Name} '{c.Name}' has no ONNX Runtime peer"))();
            _resources.Add(peer);
            _run = peer.Run;
            return;
        }
        _backend = KernelBackends.Open(Backend);
        _run = c.Engine(_backend, _resources);
    }

    /// <summary>One invocation of the case's op (waits for the device).</summary>
    [Benchmark]
    public void Run() => _run();

    [GlobalCleanup]
    public void Cleanup()
    {
        for (int i = _resources.Count - 1; i >= 0; i--) _resources[i].Dispose();
        _resources.Clear();
        _backend?.Dispose();
        _backend = null;
    }

    /// <summary>A float32 tensor of seeded uniform values in [lo, hi).</summary>
    protected static Tensor RandomTensor(IBackend b, List<IDisposable> owned, int seed, float lo, float hi, params int[] shape)
    {
        var t = b.Upload<float>(RandomFloats(seed, shape.Aggregate(1L, (x, y) => x * y), lo, hi), shape);
        owned.Add(t);
        return t;
    }

    /// <summary>An uninitialised tensor.</summary>
    protected static Tensor Empty(IBackend b, List<IDisposable> owned, DType type, params int[] shape)
    {
        var t = b.Allocate(type, shape);
        owned.Add(t);
        return t;
    }

    /// <summary>Seeded uniform floats.</summary>
    protected static float[] RandomFloats(int seed, long n, float lo = -1f, float hi = 1f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (long i = 0; i < n; i++) a[i] = lo + (float)rng.NextDouble() * (hi - lo);
        return a;
    }

    /// <summary>Element count of a shape.</summary>
    protected static long Count(params int[] shape) => shape.Aggregate(1L, (x, y) => x * y);
}
