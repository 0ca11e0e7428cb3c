using System.CommandLine;
using System.Diagnostics;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Cli.Commands;

/// <summary>A model ready to be timed, the backend whose pool it allocates from, and what else to dispose.</summary>
public sealed class BenchTarget : IDisposable
{
    private readonly IDisposable? _owned;

    /// <summary>Wraps a model on <paramref name="backend"/>; disposing disposes the model, the backend and <paramref name="owned"/>.</summary>
    public BenchTarget(CondInstModel model, IBackend backend, string description, IDisposable? owned = null)
    {
        Model = model;
        Backend = backend;
        Description = description;
        _owned = owned;
    }

    /// <summary>The model <c>bench</c> calls Predict on.</summary>
    public CondInstModel Model { get; }

    /// <summary>The backend whose pool counters are reported.</summary>
    public IBackend Backend { get; }

    /// <summary>One line saying what runs where.</summary>
    public string Description { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Model.Dispose();
        Backend.Dispose();
        _owned?.Dispose();
    }
}

/// <summary>
/// A device <c>bench</c> can run besides the engine's own: a peer convolutional body that a host program (the
/// benchmarks executable, which alone depends on ONNX Runtime) registers, built from the same weights and settings.
/// </summary>
/// <param name="Device">The <c>--device</c> value that selects it.</param>
/// <param name="Open">Builds the target from the weights and test settings.</param>
public sealed record BenchPeer(string Device, Func<WeightSet, TestSettings, BenchTarget> Open);

/// <summary>What one <c>bench</c> invocation measures.</summary>
/// <param name="Weights">A checkpoint path or <see cref="BenchCommand.RandomWeights"/>.</param>
/// <param name="Image">An image file or <c>synthetic:WxH</c>.</param>
/// <param name="Device">An engine device (cpu, cuda, opencl, ilgpu-cpu) or a registered peer.</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="Warmup">Untimed runs first.</param>
public sealed record BenchRequest(string Weights, string Image, string Device, int Runs, int Warmup);

/// <summary>
/// <c>bench</c>: times whole predictions (image bytes in memory → masks on the host) and their stages, and prints a
/// table of ms per image (min/median/max), per-stage times from the model's StageClock laps, GFLOP/s per stage from
/// the convolution multiply-adds of the actual input size, peak memory and the detection count; its very last line
/// is <c>e2e_ms median=X min=Y max=Z</c> (scripts read it).
/// </summary>
public static class BenchCommand
{
    /// <summary>The <c>--weights</c> value for seeded random R-50 weights (no download).</summary>
    public const string RandomWeights = "r50-random";

    /// <summary>Seed of <see cref="RandomWeights"/>.</summary>
    public const int RandomSeed = 1;

    /// <summary>Engine devices bench accepts (an index may follow, e.g. cuda:1).</summary>
    public static readonly IReadOnlyList<string> EngineDevices = ["cpu", "cuda", "opencl", "ilgpu-cpu"];

    /// <summary>Peers that exist only in the benchmarks executable, with where to run them.</summary>
    public static readonly IReadOnlyDictionary<string, string> PeersElsewhere = new Dictionary<string, string>
    {
        ["onnxruntime"] = "ONNX Runtime is a benchmarks-only dependency; run this device from the benchmarks executable: "
            + "dotnet run -c Release --project benchmarks/CondInst.Kernels.Benchmarks -- bench --weights W --image I --device onnxruntime --runs N",
    };

    /// <summary>The stage order of the table (peers may add their own, e.g. "body").</summary>
    private static readonly string[] StageOrder = ["preprocess", "backbone", "fpn", "head", "mask_branch", "body", "postprocess", "mask_head", "mask_paste"];

    /// <summary>The command; <paramref name="peers"/> are extra devices the host program provides.</summary>
    public static Command Create(TextWriter stdout, IReadOnlyList<BenchPeer>? peers = null)
    {
        var weights = new Option<string>("--weights") { Description = $"Checkpoint (.pth / .safetensors) or '{RandomWeights}' (seeded random R-50 weights, R-50 test settings).", Required = true };
        var image = new Option<string>("--image") { Description = "Image file, or synthetic:WxH for a generated image of that size.", Required = true };
        var device = new Option<string>("--device") { Description = $"One of {string.Join(", ", EngineDevices.Concat((peers ?? []).Select(p => p.Device)))}.", Required = true };
        var runs = new Option<int>("--runs") { Description = "Timed runs.", Required = true };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before the timed ones.", DefaultValueFactory = _ => 1 };
        var command = new Command("bench", "Time whole predictions and their stages (ms, GFLOP/s, memory); last line: e2e_ms median=… min=… max=…")
        {
            weights, image, device, runs, warmup,
        };
        command.SetAction(r => Run(new BenchRequest(r.GetValue(weights)!, r.GetValue(image)!, r.GetValue(device)!, r.GetValue(runs), r.GetValue(warmup)), stdout, peers ?? []));
        return command;
    }

    /// <summary>Runs one benchmark and writes its report; returns the exit code.</summary>
    public static int Run(BenchRequest request, TextWriter stdout, IReadOnlyList<BenchPeer> peers)
    {
        if (request.Runs < 1) throw new ArgumentException($"--runs must be at least 1, found {request.Runs}");
        if (request.Warmup < 0) throw new ArgumentException($"--warmup must be 0 or more, found {request.Warmup}");
        var peer = ResolveDevice(request.Device, peers);
        var (bgr, width, height) = BenchImage.Load(request.Image);

        var (target, weightsText) = Open(request, peer);
        using (target)
        {
            // The weight arrays are garbage now; collect them so the working set measures inference.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var model = target.Model;
            var g = ImageGeometry.For(width, height, model.Settings.ScaleLong, model.Settings.ScaleShort);
            var macs = BodyMacs.For(model.Architecture, g.PaddedHeight, g.PaddedWidth);
            stdout.WriteLine($"bench: weights {weightsText}");
            stdout.WriteLine($"device {request.Device}: {target.Description}");
            stdout.WriteLine($"image {request.Image}: {width}x{height} -> resized {g.ResizedWidth}x{g.ResizedHeight}, padded {g.PaddedWidth}x{g.PaddedHeight}; settings: {model.Settings.Source}");
            stdout.WriteLine($"runs: {request.Runs} timed after {request.Warmup} warm-up; stage times are StageClock laps (the device is synchronised at each)");

            for (int i = 0; i < request.Warmup; i++) model.Predict(bgr, width, height, timings: true);
            target.Backend.ResetPeakMemory();
            bool hwmReset = ProcessMemory.ResetPeak();
            var e2e = new List<double>();
            var stages = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            var detections = new List<int>();
            for (int i = 0; i < request.Runs; i++)
            {
                var sw = Stopwatch.StartNew();
                var p = model.Predict(bgr, width, height, timings: true);
                double ms = sw.Elapsed.TotalMilliseconds;
                e2e.Add(ms);
                detections.Add(p.Instances.Count);
                foreach (var (stage, t) in p.Timings)
                {
                    if (!stages.TryGetValue(stage, out var list)) stages[stage] = list = [];
                    list.Add(t);
                }
                (stages.TryGetValue("(other)", out var other) ? other : stages["(other)"] = []).Add(ms - p.Timings.Sum(t => t.Ms));
            }
            var mem = target.Backend.Memory;
            WriteTable(stdout, stages, e2e, macs, g, detections);
            stdout.WriteLine();
            stdout.WriteLine($"peak memory: backend pool {Mib(mem.PeakBytesInUse)} in use ({Mib(mem.BytesInUse + mem.BytesFree)} held, {mem.Allocations} allocations); "
                + $"process peak working set {Mib(ProcessMemory.PeakWorkingSet())} ({(hwmReset ? "timed runs only" : "whole process, including loading")})");
            stdout.WriteLine($"detections: {detections[^1]} (min {detections.Min()}, max {detections.Max()} over the runs)");
            var (lo, mid, hi) = Stats(e2e);
            stdout.WriteLine(FormattableString.Invariant($"e2e_ms median={mid:F1} min={lo:F1} max={hi:F1}"));
        }
        return 0;
    }

    /// <summary>The peer for <paramref name="device"/>, or null for an engine device; a clear error otherwise.</summary>
    internal static BenchPeer? ResolveDevice(string device, IReadOnlyList<BenchPeer> peers)
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
        using var checkpoint = Checkpoint.Load(spec);
        var arch = CondInstArchitecture.InferFrom(checkpoint.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Shape));
        checkpoint.Bind(arch.ExpectedParameters());
        var weights = new WeightSet(checkpoint.Tensors
            .Where(kv => !kv.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .Select(kv => new KeyValuePair<string, (int[], float[])>(kv.Key, (kv.Value.Shape, kv.Value.ToFloat32()))));
        return (weights, checkpoint.Settings, $"{spec} ({checkpoint.Format})");
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
        long MacsOf(string stage) => stage switch
        {
            "backbone" => macs.Backbone,
            "fpn" => macs.Fpn,
            "head" => macs.Head,
            "mask_branch" => macs.MaskBranch,
            "body" => macs.Total,
            "mask_head" => BodyMacs.MaskHead(g.PaddedHeight, g.PaddedWidth, detections[^1]),
            _ => 0,
        };
        o.WriteLine();
        o.WriteLine($"{"stage",-13} {"min ms",10} {"median ms",10} {"max ms",10} {"GMAC",8} {"GFLOP/s",8}");
        var order = StageOrder.Where(stages.ContainsKey).Concat(stages.Keys.Where(k => !StageOrder.Contains(k) && k != "(other)")).Append("(other)");
        foreach (var stage in order)
            o.WriteLine(Row(stage, stages[stage], MacsOf(stage)));
        long total = macs.Total + BodyMacs.MaskHead(g.PaddedHeight, g.PaddedWidth, detections[^1]);
        o.WriteLine(Row("end to end", e2e, total));
    }

    private static string Row(string name, List<double> ms, long macs)
    {
        var (lo, mid, hi) = Stats(ms);
        string gmac = macs == 0 ? "-" : FormattableString.Invariant($"{macs / 1e9:F2}");
        double gflops = mid <= 0 ? 0 : 2.0 * macs / (mid * 1e6);
        string rate = macs == 0 || mid <= 0 ? "-" : gflops.ToString(gflops < 1 ? "F3" : "F1", System.Globalization.CultureInfo.InvariantCulture);
        return FormattableString.Invariant($"{name,-13} {lo,10:F1} {mid,10:F1} {hi,10:F1} {gmac,8} {rate,8}");
    }

    /// <summary>Min, median (mean of the middle two for an even count) and max.</summary>
    public static (double Min, double Median, double Max) Stats(IReadOnlyList<double> values)
    {
        var s = values.Order().ToArray();
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        return (s[0], median, s[^1]);
    }

    private static string Mib(long bytes) => FormattableString.Invariant($"{bytes / (1024.0 * 1024):F1} MiB");
}

/// <summary>
/// Static convolution multiply-adds of the CondInst body per part for one padded input, counted as docs/INFERENCE.md#sizes counts
/// them (k·k·C_in/groups per output element of every nn.Conv2d, from <see cref="ConvSpec.Macs"/>; norms, activations,
/// resizes and bias adds not counted). The R-50 at 1344x800 gives 239,881,420,800.
/// </summary>
/// <param name="Backbone">ResNet stem and four stages.</param>
/// <param name="Fpn">Laterals, outputs, P6 and P7.</param>
/// <param name="Head">Both towers and the four predictors on P3..P7.</param>
/// <param name="MaskBranch">Level convs, branch convs and the 1x1 predictor.</param>
public sealed record BodyMacs(long Backbone, long Fpn, long Head, long MaskBranch)
{
    /// <summary>Dynamic mask head multiply-adds per instance and stride-8 pixel: 10·8 + 8·8 + 8·1.</summary>
    public const long DynamicHeadMacsPerPixel = 152;

    /// <summary>All four parts.</summary>
    public long Total => Backbone + Fpn + Head + MaskBranch;

    /// <summary>The counts for <paramref name="arch"/> on a [batch, 3, paddedHeight, paddedWidth] input.</summary>
    public static BodyMacs For(CondInstArchitecture arch, int paddedHeight, int paddedWidth, int batch = 1)
    {
        long total = 0;
        (int H, int W) Conv(int inC, int outC, int k, int stride, int pad, (int H, int W) x)
        {
            var spec = new ConvSpec(inC, outC, k, k, stride, stride, pad, pad);
            int oh = spec.OutH(x.H), ow = spec.OutW(x.W);
            total += spec.Macs(oh, ow) * batch;
            return (oh, ow);
        }
        var s = Conv(3, arch.StemChannels, 7, 2, 3, (paddedHeight, paddedWidth));
        s = ((s.H - 1) / 2 + 1, (s.W - 1) / 2 + 1); // max pool 3x3 stride 2 pad 1
        int inC = arch.StemChannels;
        var c = new (int H, int W)[4];
        for (int st = 0; st < 4; st++)
        {
            int planes = arch.Planes(st), outC = arch.StageChannels(st);
            for (int b = 0; b < arch.BlocksPerStage[st]; b++)
            {
                int stride = b == 0 && st > 0 ? 2 : 1;
                if (b == 0) Conv(inC, outC, 1, stride, 0, s);
                var a = Conv(b == 0 ? inC : outC, planes, 1, 1, 0, s);
                a = Conv(planes, planes, 3, stride, 1, a);
                s = Conv(planes, outC, 1, 1, 0, a);
            }
            inC = outC;
            c[st] = s;
        }
        long backbone = total;
        total = 0;
        var p = new (int H, int W)[5];
        for (int i = 0; i < 3; i++) p[i] = Conv(arch.StageChannels(i + 1), arch.FpnChannels, 1, 1, 0, c[i + 1]);
        for (int i = 0; i < 3; i++) Conv(arch.FpnChannels, arch.FpnChannels, 3, 1, 1, p[i]);
        p[3] = Conv(arch.FpnChannels, arch.FpnChannels, 3, 2, 1, p[2]);
        p[4] = Conv(arch.FpnChannels, arch.FpnChannels, 3, 2, 1, p[3]);
        long fpn = total;
        total = 0;
        foreach (var level in p)
        {
            for (int i = 0; i < 2 * arch.HeadConvs; i++) Conv(i % arch.HeadConvs == 0 ? arch.FpnChannels : arch.HeadChannels, arch.HeadChannels, 3, 1, 1, level);
            foreach (int outC in new[] { arch.NumClasses, 4, 1, CondInstArchitecture.NumParams }) Conv(arch.HeadChannels, outC, 3, 1, 1, level);
        }
        long head = total;
        total = 0;
        for (int i = 0; i < 3; i++) Conv(arch.FpnChannels, arch.MaskBranchChannels, 3, 1, 1, p[i]);
        for (int i = 0; i < arch.MaskBranchConvs; i++) Conv(arch.MaskBranchChannels, arch.MaskBranchChannels, 3, 1, 1, p[0]);
        Conv(arch.MaskBranchChannels, arch.MaskFeatureChannels, 1, 1, 0, p[0]);
        return new BodyMacs(backbone, fpn, head, total);
    }

    /// <summary>Dynamic mask head multiply-adds for <paramref name="instances"/> on the stride-8 map of a padded input.</summary>
    public static long MaskHead(int paddedHeight, int paddedWidth, int instances) =>
        DynamicHeadMacsPerPixel * (paddedHeight / 8) * (paddedWidth / 8) * instances;
}

/// <summary>Images for <c>bench</c>: a file decoded as mmdetection's loader does (<see cref="ImageLoader"/>) or a generated one.</summary>
public static class BenchImage
{
    /// <summary>The prefix of generated images: <c>synthetic:1333x800</c>.</summary>
    public const string SyntheticPrefix = "synthetic:";

    /// <summary>HWC BGR bytes (as mmdetection's loader gives them), width and height.</summary>
    public static (byte[] Bgr, int Width, int Height) Load(string spec)
    {
        if (spec.StartsWith(SyntheticPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var parts = spec[SyntheticPrefix.Length..].Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int w) || !int.TryParse(parts[1], out int h) || w <= 0 || h <= 0 || (long)w * h > 100_000_000)
                throw new ArgumentException($"image '{spec}': expected {SyntheticPrefix}WxH with positive sizes (e.g. {SyntheticPrefix}1333x800)");
            return (Synthetic(w, h), w, h);
        }
        var img = ImageLoader.Load(spec);
        return (img.Bgr, img.Width, img.Height);
    }

    /// <summary>
    /// A deterministic picture: smooth colour gradients with blocks of texture and a few flat rectangles, so that
    /// a resize sees edges and gradients alike (content does not change the work of dense convolutions).
    /// </summary>
    public static byte[] Synthetic(int width, int height)
    {
        var bgr = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                bool block = ((x / 97) + (y / 61)) % 5 == 0;
                int texture = block ? ((x * 13) ^ (y * 7)) & 63 : 0;
                bgr[o] = (byte)(x * 255 / Math.Max(width - 1, 1) / 2 + texture);
                bgr[o + 1] = (byte)(y * 255 / Math.Max(height - 1, 1) / 2 + texture);
                bgr[o + 2] = (byte)((((x + y) / 4) & 127) + (block ? 64 : 0));
            }
        return bgr;
    }
}

/// <summary>The process's peak resident memory, resettable on Linux so that it can cover just the timed runs.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak working set (VmHWM on Linux) in bytes.</summary>
    public static long PeakWorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.PeakWorkingSet64;
    }

    /// <summary>Resets the peak to the current resident size (Linux clear_refs 5); false where that is not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return false;
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
