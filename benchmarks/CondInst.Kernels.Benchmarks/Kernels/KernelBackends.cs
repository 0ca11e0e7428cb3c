namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// Which backends the kernel benchmarks run on: <c>cpu</c> and every usable CUDA / OpenCL device, plus
/// <c>onnxruntime</c> for families with peers. <c>ilgpu-cpu</c> (ILGPU's CPU simulator, ~0.2 GFLOP/s: a
/// correctness tool) is left out unless asked for. CONDINST_BENCH_BACKENDS (comma-separated) replaces the list,
/// e.g. <c>cuda,onnxruntime</c>.
/// </summary>
public static class KernelBackends
{
    /// <summary>The peer's backend id.</summary>
    public const string OnnxRuntime = "onnxruntime";

    /// <summary>The environment variable that overrides the list.</summary>
    public const string Variable = "CONDINST_BENCH_BACKENDS";

    /// <summary>Backend ids for a family (with or without an ONNX Runtime peer).</summary>
    public static IEnumerable<string> List(bool withOrt)
    {
        var requested = Environment.GetEnvironmentVariable(Variable);
        IEnumerable<string> ids;
        if (!string.IsNullOrWhiteSpace(requested))
            ids = requested.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        else
            ids = new[] { "cpu" }
                .Concat(Devices.List().Where(d => d.Usable && d.Kind is DeviceKind.Cuda or DeviceKind.OpenCL).Select(d => d.Id))
                .Append(OnnxRuntime);
        return ids.Where(id => withOrt || id != OnnxRuntime).Distinct().ToList();
    }

    /// <summary>Opens an engine backend by id.</summary>
    public static IBackend Open(string id) => Devices.Open(id);

    /// <summary>Threads for ONNX Runtime peers: the same cores the engine's cpu backend uses.</summary>
    public static int OrtThreads => Environment.ProcessorCount;
}
