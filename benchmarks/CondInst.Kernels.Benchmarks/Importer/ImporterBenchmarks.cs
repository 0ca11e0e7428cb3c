using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Pth;
using CondInst.Kernels.Importer.Safetensors;

namespace CondInst.Kernels.Benchmarks.Importer;

/// <summary>
/// Loading an R-50-sized checkpoint (the real 423 keys and shapes, 34.2 M elements, random float32 values) from
/// safetensors and from a zip .pth, both written at setup by the importer's own writers. "Open" parses and maps the
/// file; "OpenAndRead" also reads every tensor byte once (what binding the weights to a model costs at least).
/// Peak memory is measured once per process at setup by <see cref="PeakMemory"/> and printed to the log.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ImporterBenchmarks
{
    private string _dir = "";
    private string _safetensors = "";
    private string _pth = "";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("condinst-importer-bench").FullName;
        _safetensors = Path.Combine(_dir, "r50.safetensors");
        _pth = Path.Combine(_dir, "r50.pth");
        var tensors = R50Tensors();
        SafetensorsWriter.Write(_safetensors, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        using (var stream = new FileStream(_pth, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            PthZipWriter.WriteCheckpoint(stream, tensors, new Dictionary<string, object?> { ["mmdet_version"] = "3.3.0" });
        tensors.Clear();
        foreach (string path in new[] { _safetensors, _pth })
            Console.WriteLine("// " + PeakMemory.Measure(path, OpenAndRead));
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, true);

    [Benchmark]
    public int OpenSafetensors() => Open(_safetensors);

    [Benchmark]
    public long OpenAndReadSafetensors() => OpenAndRead(_safetensors);

    [Benchmark]
    public int OpenPth() => Open(_pth);

    [Benchmark]
    public long OpenAndReadPth() => OpenAndRead(_pth);

    private static int Open(string path)
    {
        using var ckpt = Checkpoint.Load(path);
        return ckpt.Tensors.Count;
    }

    private static long OpenAndRead(string path)
    {
        using var ckpt = Checkpoint.Load(path);
        ulong sum = 0;
        foreach (var t in ckpt.Tensors.Values)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(t.Data.Span);
            foreach (ulong w in words) sum += w;
        }
        return (long)sum;
    }

    /// <summary>The R-50 state dict with random values; all tensors view one random buffer so setup stays small.</summary>
    internal static List<CheckpointTensor> R50Tensors()
    {
        // The model's own expected-parameter list is the R-50 state dict (a test checks it against the tests' Fixtures/r50/state_dict_r50.txt).
        var specs = CondInst.Kernels.Model.CondInstArchitecture.R50.ExpectedParameters()
            .Select(p => (p.Name, DType: p.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal) ? TensorDType.Int64 : TensorDType.Float32, p.Shape))
            .ToList();
        long largest = specs.Max(s => s.Shape.Aggregate(1L, (a, b) => a * b) * s.DType.Size());
        var random = new byte[largest];
        var rng = new Random(50);
        var floats = MemoryMarshal.Cast<byte, float>(random.AsSpan());
        for (int i = 0; i < floats.Length; i++) floats[i] = (float)(rng.NextDouble() * 0.2 - 0.1);
        return specs.Select(s => new CheckpointTensor(s.Name, s.DType, s.Shape,
            random.AsMemory(0, (int)(s.Shape.Aggregate(1L, (a, b) => a * b) * s.DType.Size())))).ToList();
    }
}

/// <summary>
/// Peak memory of one load: the process's resident set high-water mark (Linux VmHWM, reset through
/// /proc/self/clear_refs) above its level just before, plus the managed bytes allocated, against the file size.
/// </summary>
internal static class PeakMemory
{
    public static string Measure(string path, Func<string, long> load)
    {
        long fileBytes = new FileInfo(path).Length;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        bool linux = OperatingSystem.IsLinux();
        if (linux) File.WriteAllText("/proc/self/clear_refs", "5"); // reset VmHWM to the current RSS
        long before = linux ? Status("VmRSS") : Process.GetCurrentProcess().WorkingSet64;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        load(path);
        double ms = clock.Elapsed.TotalMilliseconds;
        long managed = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        long peak = linux ? Status("VmHWM") : Process.GetCurrentProcess().PeakWorkingSet64;
        long extra = peak - before;
        return string.Create(CultureInfo.InvariantCulture,
            $"peak-memory {Path.GetFileName(path)}: file {fileBytes / 1048576.0:F1} MiB, first load+read {ms:F0} ms, working set +{extra / 1048576.0:F1} MiB at peak ({(double)extra / fileBytes:F2}x file), managed allocations {managed / 1048576.0:F2} MiB ({(double)managed / fileBytes:F3}x file){(linux ? "" : " (not Linux: PeakWorkingSet64 since process start)")}");
    }

    private static long Status(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }
}
