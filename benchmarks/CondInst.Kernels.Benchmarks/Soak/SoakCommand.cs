using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Benchmarks.Soak;

/// <summary>
/// <c>soak</c>: many predictions on one model with images of random sizes and aspect ratios, generated in memory
/// from a seed (noise, and the demo image resized or tiled so that real detections happen). Every
/// <c>--report-every</c> predictions it prints one row of the memory curve (working set, managed heap after a full
/// GC, failures, sample mismatches, elapsed), so a run cut short can still be reported. Every
/// <c>--sample-every</c>-th image is also given to a second model loaded at the start and used only for those
/// samples; both results must agree bit for bit (boxes, scores, labels, masks as run lengths). Exits 1 on any failure
/// or mismatch. Bounded by <c>--predictions</c> and <c>--time-limit-s</c>.
/// </summary>
public static class SoakCommand
{
    public static Command Create(TextWriter stdout)
    {
        var weights = new Option<string>("--weights") { Description = "Checkpoint", DefaultValueFactory = _ => "weights/shapes/shapes.pth" };
        var demo = new Option<string>("--demo") { Description = "Image resized and tiled into part of the inputs (so that instances are found)", DefaultValueFactory = _ => "weights/shapes/demo_1.png" };
        var device = new Option<string>("--device") { Description = "Device", DefaultValueFactory = _ => "cpu" };
        var predictions = new Option<int>("--predictions") { Description = "Predictions to run", DefaultValueFactory = _ => 10000 };
        var timeLimit = new Option<int>("--time-limit-s") { Description = "Stop after this many seconds even if fewer predictions ran", DefaultValueFactory = _ => 3000 };
        var maxSide = new Option<int>("--max-side") { Description = "Largest image side, pixels", DefaultValueFactory = _ => 4000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the image sizes, kinds and pixels", DefaultValueFactory = _ => 1 };
        var reportEvery = new Option<int>("--report-every") { Description = "Predictions between rows of the memory curve", DefaultValueFactory = _ => 500 };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Every n-th image is also predicted by the second model and compared", DefaultValueFactory = _ => 250 };
        var command = new Command("soak", "Many predictions on one model with random image sizes and aspect ratios: failures, memory curve, agreement with a second model on a sample.")
        {
            weights, demo, device, predictions, timeLimit, maxSide, seed, reportEvery, sampleEvery,
        };
        command.SetAction(r => Run(new SoakSettings(r.GetValue(weights)!, r.GetValue(demo)!, r.GetValue(device)!, r.GetValue(predictions), TimeSpan.FromSeconds(r.GetValue(timeLimit)),
            r.GetValue(maxSide), r.GetValue(seed), r.GetValue(reportEvery), r.GetValue(sampleEvery)), stdout));
        return command;
    }

    private sealed record SoakSettings(string Weights, string Demo, string Device, int Predictions, TimeSpan Limit, int MaxSide, int Seed, int ReportEvery, int SampleEvery);

    private static int Run(SoakSettings s, TextWriter o)
    {
        if (s.Predictions < 1 || s.MaxSide < 1 || s.ReportEvery < 1 || s.SampleEvery < 1)
            throw new ArgumentException("--predictions, --max-side, --report-every and --sample-every must be at least 1");
        var wall = Stopwatch.StartNew();
        using var model = CondInstModel.Load(s.Weights, s.Device);
        using var fresh = CondInstModel.Load(s.Weights, s.Device);
        var images = new SoakImages(ImageLoader.Load(s.Demo), s.MaxSide, s.Seed);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# soak: {Path.GetFileName(s.Weights)} on {s.Device}, {s.Predictions} predictions or {s.Limit.TotalSeconds:F0} s, sides 1..{s.MaxSide} px, aspect 1:10..10:1, seed {s.Seed}, every {s.SampleEvery}th image compared with a second model; {Environment.ProcessorCount} logical CPUs, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        o.WriteLine("| predictions | working set MiB | peak working set MiB | managed heap MiB | pool held MiB | pool allocations | failures | samples | mismatches | instances | elapsed s |");
        o.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var curve = new List<(double WorkingSet, double Managed)> { Row(o, model.Backend, 0, 0, 0, 0, 0, wall) };
        int done = 0, failures = 0, samples = 0, mismatches = 0, withInstances = 0;
        long instances = 0, pixels = 0;
        var kinds = new int[SoakImages.KindCount];
        while (done < s.Predictions && wall.Elapsed < s.Limit)
        {
            var image = images.Next();
            kinds[(int)image.Kind]++;
            pixels += (long)image.Width * image.Height;
            string name = $"soak-{done}";
            DetectionResult? result = null;
            try
            {
                result = model.Predict(image.Bgr.AsSpan(0, image.Width * image.Height * 3), image.Width, image.Height, name);
                instances += result.Instances.Count;
                if (result.Instances.Count > 0) withInstances++;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (++failures <= 20) o.WriteLine($"failure {failures}: image {done} ({image.Width}x{image.Height}, {image.Kind}): {e.GetType().Name}: {e.Message}");
            }
            done++;
            if (result is not null && done % s.SampleEvery == 0)
            {
                samples++;
                string? difference = SoakCompare.FirstDifference(result, fresh.Predict(image.Bgr.AsSpan(0, image.Width * image.Height * 3), image.Width, image.Height, name));
                if (difference is not null && ++mismatches <= 20) o.WriteLine($"mismatch {mismatches}: image {done - 1} ({image.Width}x{image.Height}, {image.Kind}): {difference}");
            }
            if (done % s.ReportEvery == 0) curve.Add(Row(o, model.Backend, done, failures, samples, mismatches, instances, wall));
        }
        if (done % s.ReportEvery != 0) curve.Add(Row(o, model.Backend, done, failures, samples, mismatches, instances, wall));
        double seconds = wall.Elapsed.TotalSeconds;
        o.WriteLine();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"images: {string.Join(", ", Enum.GetValues<SoakImageKind>().Select(k => $"{k} {kinds[(int)k]}"))}; {pixels / (double)Math.Max(1, done) / 1e6:F2} Mpixel mean; {withInstances} with instances, {instances} instances in all"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: {done} of {s.Predictions} predictions{(done < s.Predictions ? " (stopped by --time-limit-s)" : "")} in {seconds:F0} s ({done / seconds:F2}/s); failures {failures}; samples {samples}, mismatches {mismatches}; " +
            $"working set {curve[1 < curve.Count ? 1 : 0].WorkingSet:F0} MiB at the first row after start, {curve[^1].WorkingSet:F0} MiB at the end, {curve.Max(c => c.WorkingSet):F0} MiB max; " +
            $"managed heap {curve[1 < curve.Count ? 1 : 0].Managed:F0} -> {curve[^1].Managed:F0} MiB"));
        return failures > 0 || mismatches > 0 ? 1 : 0;
    }

    // One row of the curve, after a full blocking collection so that the managed number is what is really held. The
    // backend pool (its buffers are managed arrays on the CPU) shows how much of that the pool keeps for reuse.
    private static (double, double) Row(TextWriter o, IBackend backend, int done, int failures, int samples, int mismatches, long instances, Stopwatch wall)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        double managed = GC.GetTotalMemory(true) / 1048576.0;
        using var self = Process.GetCurrentProcess();
        var pool = backend.Memory; // the backend's buffer pool: what it holds in use and free for reuse
        double workingSet = self.WorkingSet64 / 1048576.0, peak = self.PeakWorkingSet64 / 1048576.0;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {done} | {workingSet:F0} | {peak:F0} | {managed:F1} | {(pool.BytesInUse + pool.BytesFree) / 1048576.0:F0} | {pool.Allocations} | {failures} | {samples} | {mismatches} | {instances} | {wall.Elapsed.TotalSeconds:F0} |"));
        o.Flush();
        return (workingSet, managed);
    }
}
