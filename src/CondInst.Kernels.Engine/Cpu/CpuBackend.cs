namespace CondInst.Kernels;

/// <summary>
/// The native CPU backend: every operation written with System.Runtime.Intrinsics (Vector256 + FMA where the
/// processor has them, Vector128 / scalar otherwise) and spread over all cores. Operation families live in
/// the partial files <c>CpuBackend.*.cs</c>.
/// </summary>
public sealed partial class CpuBackend : HostBackend
{
    private readonly CpuWorkers? _workers;

    /// <summary>
    /// Creates the backend on the process-wide worker pool: one thread per logical processor, or the number in the
    /// environment variable <c>CONDINST_CPU_THREADS</c>.
    /// </summary>
    public CpuBackend() : base(Describe())
    {
    }

    /// <summary>
    /// Creates the backend with its own pool of <paramref name="threads"/> threads (the calling thread included), used
    /// by the operations called inside <see cref="UseWorkers"/> (a model enters it for each prediction).
    /// </summary>
    public CpuBackend(int threads) : base(Describe(threads))
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), $"CPU thread count must be at least 1, got {threads}");
        _workers = new CpuWorkers(threads);
    }

    /// <summary>Threads the operations run on inside <see cref="UseWorkers"/>.</summary>
    public int Threads => _workers?.Threads ?? CpuWorkers.DefaultThreads();

    /// <summary>
    /// Until the returned scope is disposed, operations called on this thread run on this backend's own pool (when it
    /// was created with a thread count; otherwise on the process-wide pool).
    /// </summary>
    public IDisposable UseWorkers() => _workers is null ? NoScope.Instance : _workers.Enter();

    /// <inheritdoc/>
    public override void Dispose()
    {
        _workers?.Dispose();
        base.Dispose();
    }

    /// <summary>The native CPU as a <see cref="DeviceInfo"/>.</summary>
    public static DeviceInfo Describe() => Describe(CpuWorkers.DefaultThreads());

    private static DeviceInfo Describe(int threads)
    {
        int lanes = System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 8 : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? 4 : 1;
        bool wide = System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated, fma = System.Runtime.Intrinsics.X86.Fma.IsSupported;
        string features = (wide ? "AVX2" : lanes == 4 ? "SIMD128" : "scalar") + (fma ? "+FMA" : "");
        return new DeviceInfo($"native CPU ({threads} of {Environment.ProcessorCount} threads, {features})", DeviceKind.Cpu, "cpu",
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, lanes, threads);
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}
