using System.Diagnostics;
using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Model.Benchmarking;

/// <summary>What one benchmark run measures.</summary>
/// <param name="Weights">A checkpoint path or <see cref="BenchRunner.RandomWeights"/>.</param>
/// <param name="Image">An image file or <c>synthetic:WxH</c>.</param>
/// <param name="Device">An engine device (cpu, cuda, opencl, ilgpu-cpu) or a registered peer.</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="Warmup">Untimed runs first.</param>
/// <param name="Throughput">Images of the throughput part (<see cref="BenchThroughput"/>; 0 skips it).</param>
public sealed record BenchRequest(string Weights, string Image, string Device, int Runs, int Warmup, int Throughput = 0);

/// <summary>
/// Times whole predictions (image bytes in memory → masks on the host) and their stages, and writes a table of ms per
/// image (min/median/max), per-stage times from <see cref="StageClock"/> laps, GFLOP/s per stage from the convolution
/// multiply-adds of the actual input size (<see cref="BodyMacs"/>), peak memory and the detection count; its very
/// last line is <c>e2e_ms median=X min=Y max=Z</c> (scripts read it). The <c>condinst bench</c> command and the
/// benchmarks executable both run this.
/// </summary>
public static class BenchRunner
{
    /// <summary>The weights value for seeded random R-50 weights (no download).</summary>
    public const string RandomWeights = "r50-random";

    /// <summary>Seed of <see cref="RandomWeights"/>.</summary>
    public const int RandomSeed = 1;

    /// <summary>Engine devices accepted (an index may follow, e.g. cuda:1).</summary>
    public static readonly IReadOnlyList<string> EngineDevices = ["cpu", "cuda", "opencl", "ilgpu-cpu"];

    /// <summary>Peers that exist only in the benchmarks executable, with where to run them.</summary>
    public static readonly IReadOnlyDictionary<string, string> PeersElsewhere = new Dictionary<string, string>
    {
        ["onnxruntime"] = "ONNX Runtime is a benchmarks-only dependency; run this device from the benchmarks executable: "
            + "dotnet run -c Release --project benchmarks/CondInst.Kernels.Benchmarks -- bench --weights W --image I --device onnxruntime --runs N",
    };

    /// <summary>The stage order of the table (peers may add their own, e.g. "body").</summary>
    private static readonly string[] StageOrder = ["preprocess", "backbone", "fpn", "head", "mask_branch", "body", "postprocess", "mask_head", "mask_paste"];

    /// <summary>Runs one benchmark and writes its report to <paramref name="stdout"/>; returns the exit code.</summary>
    public static int Run(BenchRequest request, TextWriter stdout, IReadOnlyList<BenchPeer> peers)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Runs < 1) throw new ArgumentException($"--runs must be at least 1, found {request.Runs}");
        if (request.Warmup < 0) throw new ArgumentException($"--warmup must be 0 or more, found {request.Warmup}");
        if (request.Throughput < 0) throw new ArgumentException($"--throughput must be 0 or more, found {request.Throughput}");
        var peer = ResolveDevice(request.Device, peers);
        var (bgr, width, height) = BenchImage.Load(request.Image);

        var (target, weightsText) = Open(request, peer);
        using (target)
        {
            // The weight arrays are garbage now; collect them and give their pages back (an aggressive collection
            // decommits the freed heap) so the working set measures inference, as after CondInstModel.Load.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var model = target.Model;
            var g = ImageGeometry.For(width, height, model.Settings.ScaleLong, model.Settings.ScaleShort);
            var macs = BodyMacs.For(model.Architecture, g.PaddedHeight, g.PaddedWidth);
            stdout.WriteLine($"bench: weights {weightsText}");
            stdout.WriteLine($"device {request.Device}: {target.Description}");
            stdout.WriteLine($"image {request.Image}: {width}x{height} -> resized {g.ResizedWidth}x{g.ResizedHeight}, padded {g.PaddedWidth}x{g.PaddedHeight}; settings: {model.Settings.Source}");
            stdout.WriteLine($"runs: {request.Runs} timed after {request.Warmup} warm-up; stage times are StageClock laps (the device is synchronised at each)");

            var clock = new StageClock(target.Backend);
            bool firstReset = ProcessMemory.ResetPeak();
            for (int i = 0; i < request.Warmup; i++) model.Predict(bgr, width, height, observer: clock);
            long warmupPeak = ProcessMemory.PeakWorkingSet();
            // The warm-up's garbage (first-use preparations, grown scratch) is not part of the steady state measured.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            target.Backend.ResetPeakMemory();
            long residentBefore = ProcessMemory.WorkingSet();
            long managedBefore = GC.GetGCMemoryInfo().TotalCommittedBytes;
            bool hwmReset = ProcessMemory.ResetPeak();
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var e2e = new List<double>();
            var stages = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            var detections = new List<int>();
            for (int i = 0; i < request.Runs; i++)
            {
                clock.Restart();
                var sw = Stopwatch.StartNew();
                var p = model.Predict(bgr, width, height, observer: clock);
                double ms = sw.Elapsed.TotalMilliseconds;
                e2e.Add(ms);
                detections.Add(p.Instances.Count);
                foreach (var (stage, t) in clock.Laps)
                {
                    if (!stages.TryGetValue(stage, out var list)) stages[stage] = list = [];
                    list.Add(t);
                }
                (stages.TryGetValue("(other)", out var other) ? other : stages["(other)"] = []).Add(ms - clock.Laps.Sum(t => t.Ms));
            }
            long allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / request.Runs;
            var mem = target.Backend.Memory;
            WriteTable(stdout, stages, e2e, macs, g, detections);
            stdout.WriteLine();
            stdout.WriteLine($"peak memory: backend pool {Mib(mem.PeakBytesInUse)} in use ({Mib(mem.BytesInUse + mem.BytesFree)} held, {mem.Allocations} allocations); "
                + $"process peak working set {Mib(ProcessMemory.PeakWorkingSet())} ({(hwmReset ? "timed runs only" : "whole process, including loading")})");
            stdout.WriteLine($"managed allocations per prediction: {Mib(allocated)} (the result's masks, downloads, the stage records)");
            if (target.Backend is CpuBackend)
                stdout.WriteLine($"prepared convolution weights (native): {Mib(CpuBackend.PreparedWeightBytes)}");
            if (model.PasteMemory is { } paste)
                stdout.WriteLine($"mask paste backend pool: {Mib(paste.PeakBytesInUse)} in use at most, {Mib(paste.BytesInUse + paste.BytesFree)} held");
            stdout.WriteLine($"memory before the timed runs: working set {Mib(residentBefore)}, managed heap committed {Mib(managedBefore)} (the pools' buffers are managed pinned arrays; "
                + "the prepared weights are in the working set outside the managed heap)");
            if (request.Warmup > 0 && firstReset)
                stdout.WriteLine($"warm-up ({request.Warmup} predictions, the first of a new model: weight forms made, the pool's first plan): peak working set {Mib(warmupPeak)}");
            stdout.WriteLine($"detections: {detections[^1]} (min {detections.Min()}, max {detections.Max()} over the runs)");
            if (request.Throughput > 0) BenchThroughput.Run(model, request.Image, request.Throughput, stdout);
            var (lo, mid, hi) = Stats(e2e);
            stdout.WriteLine(FormattableString.Invariant($"e2e_ms median={mid:F1} min={lo:F1} max={hi:F1}"));
        }
        return 0;
    }

    /// <summary>The peer for <paramref name="device"/>, or null for an engine device; a clear error otherwise.</summary>
    public static BenchPeer? ResolveDevice(string device, IReadOnlyList<BenchPeer> peers)
    {
        string key = device.Trim().ToLowerInvariant();
        var peer = peers.FirstOrDefault(p => string.Equals(p.Device, key, StringComparison.Ordinal));
        if (peer != null) return peer;
        if (PeersElsewhere.TryGetValue(key, out var where)) throw new ArgumentException($"device '{device}' is not part of the condinst CLI: {where}");
        string baseName = key.Split(':')[0];
        if (!EngineDevices.Contains(baseName))
            throw new ArgumentException($"unknown device '{device}': expected one of {string.Join(", ", EngineDevices.Concat(peers.Select(p => p.Device)))}");
        return null;
    }

    /// <summary>Weights and test settings from <paramref name="spec"/> (a checkpoint path or <see cref="RandomWeights"/>).</summary>
    public static (WeightSet Weights, TestSettings Settings, string Description) LoadWeights(string spec)
    {
        if (string.Equals(spec, RandomWeights, StringComparison.OrdinalIgnoreCase))
            return (WeightSet.Random(CondInstArchitecture.R50, RandomSeed), TestSettings.R50Defaults, $"{RandomWeights} (R-50 shapes, seeded random values, seed {RandomSeed})");
        if (!File.Exists(spec)) throw new FileNotFoundException($"weights '{spec}' not found (give a checkpoint file or '{RandomWeights}')", spec);
        var loaded = CheckpointLoader.Load(spec);
        return (loaded.Weights, loaded.Settings, $"{spec} ({loaded.Format})");
    }

    /// <summary>Min, median (mean of the middle two for an even count) and max.</summary>
    public static (double Min, double Median, double Max) Stats(IReadOnlyList<double> values)
    {
        var s = values.Order().ToArray();
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        return (s[0], median, s[^1]);
    }

    // Kept out of line so that the weight arrays are unreachable once the target holds its own copies.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (BenchTarget Target, string WeightsText) Open(BenchRequest request, BenchPeer? peer)
    {
        var (w, settings, text) = LoadWeights(request.Weights);
        return (peer is null ? OpenEngine(request.Device, w, settings) : peer.Open(w, settings), text);
    }

    private static BenchTarget OpenEngine(string device, WeightSet weights, TestSettings settings)
    {
        var backend = Devices.Open(device);
        try
        {
            var model = CondInstModel.Create(backend, weights, settings);
            return new BenchTarget(model, backend, $"engine on {backend.Device.Name} ({backend.Device.Id})");
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    private static void WriteTable(TextWriter o, Dictionary<string, List<double>> stages, List<double> e2e, BodyMacs macs, ImageGeometry g, List<int> detections)
    {
        long maskHead = BodyMacs.MaskHead(g.PaddedHeight, g.PaddedWidth, detections[^1]);
        long MacsOf(string stage) => stage switch
        {
            "backbone" => macs.Backbone,
            "fpn" => macs.Fpn,
            "head" => macs.Head,
            "mask_branch" => macs.MaskBranch,
            "body" => macs.Total,
            "mask_head" => maskHead,
            _ => 0,
        };
        o.WriteLine();
        o.WriteLine($"{"stage",-13} {"min ms",10} {"median ms",10} {"max ms",10} {"GMAC",8} {"GFLOP/s",8}");
        var order = StageOrder.Where(stages.ContainsKey).Concat(stages.Keys.Where(k => !StageOrder.Contains(k) && k != "(other)")).Append("(other)");
        foreach (var stage in order)
            o.WriteLine(Row(stage, stages[stage], MacsOf(stage)));
        o.WriteLine(Row("end to end", e2e, macs.Total + maskHead));
    }

    private static string Row(string name, List<double> ms, long macs)
    {
        var (lo, mid, hi) = Stats(ms);
        string gmac = macs == 0 ? "-" : FormattableString.Invariant($"{macs / 1e9:F2}");
        double gflops = mid <= 0 ? 0 : 2.0 * macs / (mid * 1e6);
        string rate = macs == 0 || mid <= 0 ? "-" : gflops.ToString(gflops < 1 ? "F3" : "F1", System.Globalization.CultureInfo.InvariantCulture);
        return FormattableString.Invariant($"{name,-13} {lo,10:F1} {mid,10:F1} {hi,10:F1} {gmac,8} {rate,8}");
    }

    private static string Mib(long bytes) => FormattableString.Invariant($"{bytes / (1024.0 * 1024):F1} MiB");
}
