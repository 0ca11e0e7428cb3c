using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CondInst.Kernels.Benchmarks.Onnx;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Model;
using CondInst.Kernels.Model.Benchmarking;

namespace CondInst.Kernels.Benchmarks.Scaling;

/// <summary>
/// <c>scaling</c>: how time grows with the image's long side (whole predictions), with the number of instances
/// (dynamic mask head and mask paste) and with the batch size (the convolutional body), for each device asked
/// for. Writes the tables as markdown to stdout and <c>OUT/scaling.md</c>, and the three charts to <c>OUT/scaling.png</c>.
/// </summary>
public static class ScalingCommand
{
    public static Command Create(TextWriter stdout)
    {
        var weights = new Option<string>("--weights") { Description = $"Checkpoint or '{BenchRunner.RandomWeights}'.", DefaultValueFactory = _ => BenchRunner.RandomWeights };
        var devices = new Option<string>("--devices") { Description = "Comma-separated devices (engine devices and onnxruntime).", DefaultValueFactory = _ => "cpu,onnxruntime" };
        var runs = new Option<int>("--runs") { Description = "Timed runs per point (one warm-up first).", DefaultValueFactory = _ => 3 };
        var output = new Option<string>("--out") { Description = "Folder for scaling.md and scaling.png.", DefaultValueFactory = _ => "benchmarks/results" };
        var sizes = new Option<string>("--sizes") { Description = "Long sides of the test scale (short side = long · 800/1333).", DefaultValueFactory = _ => "512,800,1333" };
        var instances = new Option<string>("--instances") { Description = "Instance counts for mask head and paste.", DefaultValueFactory = _ => "1,10,100" };
        var batches = new Option<string>("--batches") { Description = "Batch sizes for the body at 1344x800.", DefaultValueFactory = _ => "1,2,4" };
        var parts = new Option<string>("--parts") { Description = "Which sweeps: size, instances, batch (comma-separated).", DefaultValueFactory = _ => "size,instances,batch" };
        var command = new Command("scaling", "Time against image size, instance count and batch size; markdown tables and a PNG plot.")
        {
            weights, devices, runs, output, sizes, instances, batches, parts,
        };
        command.SetAction(r =>
        {
            var s = new ScalingRequest(r.GetValue(weights)!, Split(r.GetValue(devices)!), r.GetValue(runs), r.GetValue(output)!,
                Ints(r.GetValue(sizes)!, "--sizes"), Ints(r.GetValue(instances)!, "--instances"), Ints(r.GetValue(batches)!, "--batches"), Split(r.GetValue(parts)!));
            return Run(s, stdout);
        });
        return command;
    }

    /// <summary>What one <c>scaling</c> run measures.</summary>
    public sealed record ScalingRequest(string Weights, string[] Devices, int Runs, string Out, int[] Sizes, int[] Instances, int[] Batches, string[] Parts);

    private static readonly string[] PartNames = ["size", "instances", "batch"];

    public static int Run(ScalingRequest r, TextWriter stdout)
    {
        if (r.Runs < 1) throw new ArgumentException($"--runs must be at least 1, found {r.Runs}");
        if (r.Devices.Length == 0) throw new ArgumentException("--devices is empty");
        if (r.Parts.FirstOrDefault(p => !PartNames.Contains(p)) is { } bad) throw new ArgumentException($"--parts: unknown sweep '{bad}', expected {string.Join(", ", PartNames)}");
        var (weights, settings, weightsText) = BenchRunner.LoadWeights(r.Weights);
        var arch = CondInstArchitecture.InferFrom(weights.Shapes);
        var md = new StringBuilder();
        md.AppendLine("# Scaling").AppendLine();
        md.AppendLine(Inv($"weights {weightsText}; devices {string.Join(", ", r.Devices)}; {r.Runs} timed runs per point after one warm-up; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} logical CPUs.")).AppendLine();
        var charts = new List<PlotChart>();

        if (r.Parts.Contains("size")) SizeSweep(r, weights, settings, arch, md, charts, stdout);
        if (r.Parts.Contains("instances")) InstanceSweep(r, md, charts, stdout);
        if (r.Parts.Contains("batch")) BatchSweep(r, weights, arch, md, charts, stdout);

        Directory.CreateDirectory(r.Out);
        string png = Path.Combine(r.Out, "scaling.png");
        md.AppendLine().AppendLine($"![scaling](scaling.png)");
        File.WriteAllText(Path.Combine(r.Out, "scaling.md"), md.ToString());
        LinePlot.SavePng(png, charts);
        stdout.WriteLine();
        stdout.Write(md.ToString());
        stdout.WriteLine($"wrote {Path.Combine(r.Out, "scaling.md")} and {png}");
        return 0;
    }

    // Whole predictions of a 1333x800 synthetic image at test scales (L, L·800/1333).
    private static void SizeSweep(ScalingRequest r, WeightSet weights, TestSettings settings, CondInstArchitecture arch, StringBuilder md, List<PlotChart> charts, TextWriter stdout)
    {
        md.AppendLine("## Image size (end to end, ms per image: median (min); body = the convolutional body's stages)").AppendLine();
        md.Append("| long side | padded | body GMAC |");
        foreach (var d in r.Devices) md.Append(Inv($" {d} e2e | {d} body |"));
        md.AppendLine().Append("|---|---|---|").AppendLine(string.Concat(r.Devices.Select(_ => "---|---|")));
        var (bgr, w, h) = (BenchImage.Synthetic(1333, 800), 1333, 800);
        var sizeSeries = r.Devices.ToDictionary(d => d, _ => new List<(double, double)>());
        foreach (int longSide in r.Sizes)
        {
            var s = settings with { ScaleLong = longSide, ScaleShort = (int)Math.Round(longSide * 800.0 / 1333), Source = $"{settings.Source}; scale ({longSide}, {(int)Math.Round(longSide * 800.0 / 1333)})" };
            var g = ImageGeometry.For(w, h, s.ScaleLong, s.ScaleShort);
            md.Append(Inv($"| {longSide} | {g.PaddedWidth}x{g.PaddedHeight} | {BodyMacs.For(arch, g.PaddedHeight, g.PaddedWidth).Total / 1e9:F1} |"));
            foreach (var d in r.Devices)
            {
                using var target = Open(d, weights, s);
                var (e2e, body) = TimePredictions(target.Model, bgr, w, h, r.Runs);
                md.Append(Inv($" {Stat(e2e)} | {Stat(body)} |"));
                sizeSeries[d].Add((longSide, Median(e2e)));
                stdout.WriteLine(Inv($"size {longSide}: {d} e2e {Stat(e2e)} ms, body {Stat(body)} ms"));
            }
            md.AppendLine();
        }
        charts.Add(new PlotChart("END TO END VS IMAGE SIZE", "LONG SIDE (PX)", "MS", Series(sizeSeries)));
    }

    // Dynamic mask head and mask paste at 1344x800 (engine devices; ORT's post-processing is the engine's cpu).
    private static void InstanceSweep(ScalingRequest r, StringBuilder md, List<PlotChart> charts, TextWriter stdout)
    {
        var engineDevices = r.Devices.Where(d => d != OrtPeer.Device).ToArray();
        md.AppendLine().AppendLine("## Instances (mask head and mask paste at a 1333x800 image, ms: median (min))").AppendLine();
        md.Append("| instances |");
        foreach (var d in engineDevices) md.Append(Inv($" {d} mask_head | {d} mask_paste |"));
        md.AppendLine().Append("|---|").AppendLine(string.Concat(engineDevices.Select(_ => "---|---|")));
        var instSeries = new Dictionary<string, List<(double, double)>>();
        var rows = r.Instances.ToDictionary(n => n, n => new StringBuilder(Inv($"| {n} |")));
        foreach (var d in engineDevices)
        {
            using var b = Devices.Open(d);
            var g = ImageGeometry.For(1333, 800, 1333, 800);
            foreach (int n in r.Instances)
            {
                var (head, paste) = TimeMasks(b, g, n, r.Runs);
                rows[n].Append(Inv($" {Stat(head)} | {Stat(paste)} |"));
                (instSeries.TryGetValue($"{d} mask_head", out var hs) ? hs : instSeries[$"{d} mask_head"] = []).Add((n, Median(head)));
                (instSeries.TryGetValue($"{d} mask_paste", out var ps) ? ps : instSeries[$"{d} mask_paste"] = []).Add((n, Median(paste)));
                stdout.WriteLine(Inv($"instances {n}: {d} mask_head {Stat(head)} ms, mask_paste {Stat(paste)} ms"));
            }
        }
        foreach (int n in r.Instances) md.AppendLine(rows[n].ToString());
        charts.Add(new PlotChart("MASK HEAD AND PASTE VS INSTANCES", "INSTANCES (LOG)", "MS", Series(instSeries), LogX: true));
    }

    // The convolutional body on [N, 3, 800, 1344].
    private static void BatchSweep(ScalingRequest r, WeightSet weights, CondInstArchitecture arch, StringBuilder md, List<PlotChart> charts, TextWriter stdout)
    {
        md.AppendLine().AppendLine("## Batch (convolutional body at 1344x800, ms per batch: median (min); per image = median / N)").AppendLine();
        md.Append("| batch | body GMAC |");
        foreach (var d in r.Devices) md.Append(Inv($" {d} per batch | {d} per image |"));
        md.AppendLine().Append("|---|---|").AppendLine(string.Concat(r.Devices.Select(_ => "---|---|")));
        var batchRows = r.Batches.ToDictionary(n => n, n => new StringBuilder(Inv($"| {n} | {BodyMacs.For(arch, 800, 1344, n).Total / 1e9:F1} |")));
        var batchSeries = r.Devices.ToDictionary(d => d, _ => new List<(double, double)>());
        foreach (var d in r.Devices)
        {
            foreach (int n in r.Batches)
            {
                var t = TimeBody(d, weights, arch, n, r.Runs);
                batchRows[n].Append(Inv($" {Stat(t)} | {Median(t) / n:F0} |"));
                batchSeries[d].Add((n, Median(t) / n));
                stdout.WriteLine(Inv($"batch {n}: {d} body {Stat(t)} ms per batch"));
            }
        }
        foreach (int n in r.Batches) md.AppendLine(batchRows[n].ToString());
        charts.Add(new PlotChart("BODY MS PER IMAGE VS BATCH", "BATCH", "MS PER IMAGE", Series(batchSeries)));
    }

    private static BenchTarget Open(string device, WeightSet weights, TestSettings settings)
    {
        var peer = Program.Peers.FirstOrDefault(p => p.Device == device);
        if (peer != null) return peer.Open(weights, settings);
        var b = Devices.Open(device);
        try
        {
            return new BenchTarget(CondInstModel.Create(b, weights, settings), b, device);
        }
        catch
        {
            b.Dispose();
            throw;
        }
    }

    private static readonly string[] BodyStages = ["backbone", "fpn", "head", "mask_branch", "body"];

    private static (List<double> E2e, List<double> Body) TimePredictions(CondInstModel model, byte[] bgr, int w, int h, int runs)
    {
        var clock = new StageClock(model.Backend);
        model.Predict(bgr, w, h, observer: clock);
        var e2e = new List<double>();
        var body = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            clock.Restart();
            var sw = Stopwatch.StartNew();
            model.Predict(bgr, w, h, observer: clock);
            e2e.Add(sw.Elapsed.TotalMilliseconds);
            body.Add(clock.Laps.Where(t => BodyStages.Contains(t.Stage)).Sum(t => t.Ms));
        }
        return (e2e, body);
    }

    // The model's own mask predictor on made-up detections: random controller outputs, points spread over the image.
    private static (List<double> Head, List<double> Paste) TimeMasks(IBackend b, ImageGeometry g, int n, int runs)
    {
        int fh = g.PaddedHeight / 8, fw = g.PaddedWidth / 8;
        var rng = new Random(n);
        float[] Rand(int count, float scale) => Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        using var features = b.Upload<float>(Rand(8 * fh * fw, 2f), 1, 8, fh, fw);
        var info = new float[3 * n];
        for (int i = 0; i < n; i++) (info[3 * i], info[3 * i + 1], info[3 * i + 2]) = (rng.Next(g.ResizedWidth), rng.Next(g.ResizedHeight), 8 << rng.Next(5));
        using var kept = new KeptDetections
        {
            Count = n,
            Boxes = new float[4 * n],
            Scores = new float[n],
            Labels = new int[n],
            InstanceInfo = info,
            Parameters = b.Upload<float>(Rand(n * CondInstArchitecture.NumParams, 0.5f), n, CondInstArchitecture.NumParams),
            Instances = b.Upload<float>(info, n, 3),
        };
        var head = new List<double>();
        var paste = new List<double>();
        for (int i = 0; i <= runs; i++)
        {
            var clock = new StageClock(b);
            using (var probs = MaskPredictor.Probabilities(b, features, kept, clock))
            {
                clock.StageDone("mask_head");
                MaskPredictor.Paste(b, probs, g, 0.5f);
                clock.StageDone("mask_paste");
            }
            if (i == 0) continue; // warm-up
            head.Add(clock.Laps.Single(l => l.Stage == "mask_head").Ms);
            paste.Add(clock.Laps.Single(l => l.Stage == "mask_paste").Ms);
        }
        return (head, paste);
    }

    private static List<double> TimeBody(string device, WeightSet weights, CondInstArchitecture arch, int batch, int runs)
    {
        bool ort = device == OrtPeer.Device;
        using var b = Devices.Open(ort ? "cpu" : device);
        using IConvolutionalBody body = ort ? new OrtBody(b, weights, arch, KernelBackends.OrtThreads) : new CondInstNetwork(b, weights, arch);
        var rng = new Random(batch);
        var data = new float[batch * 3 * 800 * 1344];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 4 - 2);
        using var input = b.Upload<float>(data, batch, 3, 800, 1344);
        var times = new List<double>();
        for (int i = 0; i <= runs; i++)
        {
            var sw = Stopwatch.StartNew();
            using (body.Forward(input, StageObserver.None, consumeInput: false)) b.Synchronize();
            if (i > 0) times.Add(sw.Elapsed.TotalMilliseconds); // the first is a warm-up
        }
        return times;
    }

    private static List<PlotSeries> Series(Dictionary<string, List<(double, double)>> byName) =>
        byName.Select((kv, i) => new PlotSeries(kv.Key, LinePlot.Palette[i % LinePlot.Palette.Length], kv.Value)).ToList();

    private static double Median(List<double> v) => BenchRunner.Stats(v).Median;

    private static string Stat(List<double> v)
    {
        var (min, median, _) = BenchRunner.Stats(v);
        return Inv($"{median:F0} ({min:F0})");
    }

    private static string[] Split(string s) => s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static int[] Ints(string s, string option) => Split(s).Select(x => int.TryParse(x, out int v) && v > 0 ? v
        : throw new ArgumentException($"{option}: '{x}' is not a positive integer (expected e.g. 1,2,4)")).ToArray();

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
