using System.Collections.Concurrent;

namespace CondInst.Kernels.Tests.Harness;

/// <summary>
/// The backends every kernel test runs on. <c>cpu</c> and <c>ilgpu-cpu</c> must always be present.
/// <c>opencl</c> and <c>cuda</c> run where a device exists; where not, the test is reported as skipped with
/// "not run: reason" — unless the environment variable CONDINST_REQUIRE_DEVICES names the device
/// (comma-separated, as .ci/run sets it inside its OpenCL root), in which case a missing device fails the test.
/// Backends are shared per process and used under a lock (a backend is not thread-safe).
/// </summary>
public static class TestBackends
{
    public static readonly string[] Ids = ["cpu", "ilgpu-cpu", "opencl", "cuda"];

    /// <summary>Backends for model-level tests: the scalar reference first (it checks the model code itself), then the devices.</summary>
    public static readonly string[] ModelIds = ["reference", .. Ids];

    /// <summary>
    /// Backends fast enough for whole networks: ILGPU's CPU simulator is left out (it spends minutes per image on
    /// hundreds of simulated GPU threads); the same ILGPU kernels run whole networks on OpenCL (and CUDA), and the
    /// simulator still runs every kernel in the op tests and the light network stages.
    /// </summary>
    public static readonly string[] NetworkIds = ["cpu", "opencl", "cuda"];

    /// <summary>The ILGPU backends, for ILGPU-specific cases (forced kernel paths, small groups, multi-block sorts).</summary>
    public static readonly string[] IlgpuIds = ["ilgpu-cpu", "opencl", "cuda"];

    private static readonly ConcurrentDictionary<string, Lazy<(IBackend? Backend, string? Error)>> Opened = new();
    private static readonly Lazy<Reference.ReferenceBackend> SharedReference = new(() => new Reference.ReferenceBackend());

    /// <summary>Theory data: one row per backend id.</summary>
    public static TheoryData<string> All => new(Ids);

    /// <summary>Theory data for ILGPU-specific tests (see <see cref="IlgpuIds"/>).</summary>
    public static TheoryData<string> Ilgpu => new(IlgpuIds);

    /// <summary>Theory data for model-level tests (reference plus every backend).</summary>
    public static TheoryData<string> Models => new(ModelIds);

    /// <summary>Theory data for whole-network tests (see <see cref="NetworkIds"/>).</summary>
    public static TheoryData<string> Networks => new(NetworkIds);

    /// <summary>The scalar reference backend (thread-safe in practice: it holds no state beyond its pool).</summary>
    public static Reference.ReferenceBackend Reference => SharedReference.Value;

    private static bool Required(string id) =>
        id is "cpu" or "ilgpu-cpu" ||
        (Environment.GetEnvironmentVariable("CONDINST_REQUIRE_DEVICES") ?? "")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Contains(id, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Runs <paramref name="body"/> with exclusive use of backend <paramref name="id"/>, or skips / fails as described above.
    /// </summary>
    public static void With(string id, Action<IBackend> body)
    {
        if (id == "reference")
        {
            body(Reference);
            return;
        }
        var (backend, error) = Opened.GetOrAdd(id, key => new Lazy<(IBackend?, string?)>(() => Open(key))).Value;
        if (backend is null)
        {
            if (Required(id)) Assert.Fail($"backend '{id}' is required here but could not be opened: {error}");
            Assert.Skip($"not run: {error}");
            return;
        }
        lock (backend) body(backend);
    }

    private static (IBackend?, string?) Open(string id)
    {
        try
        {
            return (Devices.Open(id), null);
        }
        catch (Exception e) when (e is InvalidOperationException or NotImplementedException or ArgumentException or DllNotFoundException or TypeInitializationException)
        {
            return (null, $"no {id} device ({e.Message})");
        }
    }
}
