using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Safetensors;
using CondInst.Kernels.Model;
using CondInst.Kernels.Model.Benchmarking;
using CondInst.Kernels.Server;

namespace CondInst.Kernels.Benchmarks.Serving;

/// <summary>
/// <c>load</c>: a load generator for <c>condinst serve</c>. Starts the server in this process on a loopback port
/// (port 0), sends OIP infer requests (the image as base64 BYTES) at concurrency 1, 4 and 16, once with batch 1 and
/// once with dynamic batching, and reports throughput, p50/p95/p99 latency and errors; then the server's overhead
/// over in-process Predict on the same image, and the process memory over a long run. Bounded: at most
/// --requests per cell and --time-limit-s per cell; loopback only.
/// </summary>
public static class LoadCommand
{
    public static Command Create(TextWriter stdout)
    {
        var weights = new Option<string>("--weights") { Description = $"Checkpoint, or {BenchRunner.RandomWeights} (the R-50's shapes with bench's seeded values, written to a temporary safetensors file)", Required = true };
        var image = new Option<string>("--image") { Description = $"Image file sent with every request, or {BenchImage.SyntheticPrefix}WxH (bench's picture as PNG)", Required = true };
        var device = new Option<string>("--device") { Description = "Device", DefaultValueFactory = _ => "cpu" };
        var requests = new Option<int>("--requests") { Description = "Requests per cell (concurrency × batching)", DefaultValueFactory = _ => 48 };
        var timeLimit = new Option<int>("--time-limit-s") { Description = "Time limit per cell, seconds", DefaultValueFactory = _ => 60 };
        var maxBatch = new Option<int>("--max-batch") { Description = "Dynamic batching cell: --max-batch", DefaultValueFactory = _ => 4 };
        var maxDelay = new Option<int>("--max-delay-ms") { Description = "Dynamic batching cell: --max-delay-ms", DefaultValueFactory = _ => 10 };
        var memoryRequests = new Option<int>("--memory-requests") { Description = "Requests of the memory run (0 skips it)", DefaultValueFactory = _ => 1000 };
        var parts = new Option<string>("--parts") { Description = "Which parts to run: table, overhead, memory (comma-separated)", DefaultValueFactory = _ => "table,overhead,memory" };
        var command = new Command("load", "Load-test condinst serve on loopback: throughput, p50/p95/p99, errors; overhead over Predict; memory.")
        {
            weights, image, device, requests, timeLimit, maxBatch, maxDelay, memoryRequests, parts,
        };
        command.SetAction(r => Run(r.GetValue(weights)!, r.GetValue(image)!, r.GetValue(device)!, r.GetValue(requests), TimeSpan.FromSeconds(r.GetValue(timeLimit)),
            r.GetValue(maxBatch), r.GetValue(maxDelay), r.GetValue(memoryRequests), r.GetValue(parts)!.Split(','), stdout).GetAwaiter().GetResult());
        return command;
    }

    private static async Task<int> Run(string weights, string imagePath, string device, int requests, TimeSpan limit, int maxBatch, int maxDelayMs, int memoryRequests, string[] parts, TextWriter o)
    {
        if (!string.Equals(weights, BenchRunner.RandomWeights, StringComparison.OrdinalIgnoreCase))
            return await Run(weights, weights, imagePath, device, requests, limit, maxBatch, maxDelayMs, memoryRequests, parts, o);
        // The server loads a file, so the seeded random R-50 goes through a temporary safetensors file (no metadata:
        // the importer's R-50 defaults apply, as for r50-random in bench).
        string file = Path.Combine(Path.GetTempPath(), $"condinst-load-{Environment.ProcessId}.safetensors");
        var set = WeightSet.Random(CondInstArchitecture.R50, BenchRunner.RandomSeed);
        SafetensorsWriter.Write(file, set.Keys.Select(k => new CheckpointTensor(k, TensorDType.Float32, set.ShapeOf(k),
            MemoryMarshal.AsBytes(set.Get(k, set.ShapeOf(k)).AsSpan()).ToArray())));
        try
        {
            return await Run(file, weights, imagePath, device, requests, limit, maxBatch, maxDelayMs, memoryRequests, parts, o);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<int> Run(string weights, string label, string imagePath, string device, int requests, TimeSpan limit, int maxBatch, int maxDelayMs, int memoryRequests, string[] parts, TextWriter o)
    {
        byte[] body = Encoding.UTF8.GetBytes(
            $$"""{"inputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "data": ["{{Convert.ToBase64String(ImageFile(imagePath))}}"]}]}""");
        o.WriteLine($"# load: {Path.GetFileName(label)} on {device}, image {Path.GetFileName(imagePath)}, {requests} requests or {limit.TotalSeconds:F0} s per cell, {Environment.ProcessorCount} logical CPUs");
        if (parts.Contains("table"))
        {
            o.WriteLine("| batching | concurrency | requests | errors | throughput (req/s) | p50 ms | p95 ms | p99 ms |");
            o.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        }
        foreach (var (batch, delay) in parts.Contains("table") ? new[] { (1, 0), (maxBatch, maxDelayMs) } : [])
        {
            await using var server = await Start(weights, device, batch, delay);
            using var http = Client();
            await Send(http, server.Url, body, 1, 3, limit); // warm-up
            foreach (int c in new[] { 1, 4, 16 })
            {
                var cell = await Send(http, server.Url, body, c, requests, limit);
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(batch == 1 ? "batch 1" : $"max-batch {batch}, {delay} ms")} | {c} | {cell.Latencies.Count + cell.Errors} | {cell.Errors} | {cell.Throughput:F2} | {cell.P(50):F1} | {cell.P(95):F1} | {cell.P(99):F1} |"));
            }
        }

        // Overhead: server requests and in-process decode + Predict on the same image, interleaved one by one so
        // both see the same machine load (a separate model instance in this process answers the in-process side).
        if (parts.Contains("overhead"))
        {
            await using var server = await Start(weights, device, 1, 0);
            using var http = Client();
            using var model = CondInstModel.Load(weights, device);
            byte[] file = ImageFile(imagePath);
            var served = new List<double>();
            var direct = new List<double>();
            for (int i = 0; i < Math.Max(6, Math.Min(requests, 20)); i++)
            {
                var clock = Stopwatch.StartNew();
                model.Predict(ImageLoader.Load(new MemoryStream(file), "image"));
                double d = clock.Elapsed.TotalMilliseconds;
                var cell = await Send(http, server.Url, body, 1, 1, limit);
                if (i == 0 || cell.Errors > 0) continue; // first round is warm-up
                direct.Add(d);
                served.Add(cell.Latencies[0]);
            }
            direct.Sort();
            served.Sort();
            double p50 = direct[direct.Count / 2], s50 = served[served.Count / 2];
            o.WriteLine();
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"overhead ({direct.Count} interleaved pairs): in-process decode + Predict p50 {p50:F1} ms; server (REST, base64 JSON, batch 1) p50 {s50:F1} ms; difference {s50 - p50:F1} ms ({100 * (s50 - p50) / p50:F1} % of this model's time)"));
        }

        if (memoryRequests > 0 && parts.Contains("memory"))
        {
            await using var server = await Start(weights, device, 1, 0);
            using var http = Client();
            o.WriteLine();
            o.WriteLine("| requests done | working set MiB | managed heap MiB |");
            o.WriteLine("|---:|---:|---:|");
            int done = 0;
            foreach (int mark in new[] { 10, memoryRequests / 4, memoryRequests / 2, memoryRequests * 3 / 4, memoryRequests })
            {
                var cell = await Send(http, server.Url, body, 4, mark - done, TimeSpan.FromMinutes(30));
                done = mark;
                if (cell.Errors > 0) o.WriteLine($"errors: {cell.Errors}");
                GC.Collect();
                using var self = Process.GetCurrentProcess();
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {done} | {self.WorkingSet64 / 1048576.0:F0} | {GC.GetTotalMemory(false) / 1048576.0:F0} |"));
            }
        }
        return 0;
    }

    // A file's bytes, or bench's synthetic picture (synthetic:WxH) encoded as PNG.
    private static byte[] ImageFile(string spec)
    {
        if (!spec.StartsWith(BenchImage.SyntheticPrefix, StringComparison.OrdinalIgnoreCase)) return File.ReadAllBytes(spec);
        var (bgr, w, h) = BenchImage.Load(spec);
        var rgb = new byte[bgr.Length];
        for (int i = 0; i < bgr.Length; i += 3) (rgb[i], rgb[i + 1], rgb[i + 2]) = (bgr[i + 2], bgr[i + 1], bgr[i]);
        using var picture = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.Rgb24>(rgb, w, h);
        using var png = new MemoryStream();
        SixLabors.ImageSharp.ImageExtensions.SaveAsPng(picture, png);
        return png.ToArray();
    }

    private static HttpClient Client() => new() { Timeout = TimeSpan.FromMinutes(5) };

    private sealed class Running(ServerHost host) : IAsyncDisposable
    {
        public Uri Url { get; } = new($"http://127.0.0.1:{host.RestPort}/v2/models/condinst/infer");

        public ValueTask DisposeAsync() => host.DisposeAsync();
    }

    private static async Task<Running> Start(string weights, string device, int maxBatch, int maxDelayMs)
    {
        var options = new ServerOptions { Weights = weights, Device = device, Port = 0, GrpcPort = 0, QueueCapacity = 64, MaxBatch = maxBatch, MaxDelayMs = maxDelayMs };
        var host = ServerHost.Create(options, null, logging => { }); // no per-request log lines in a measurement
        await host.StartAsync();
        await host.Loaded;
        return new Running(host);
    }

    private sealed record Cell(List<double> Latencies, int Errors, double Throughput)
    {
        public double P(double q)
        {
            if (Latencies.Count == 0) return double.NaN;
            var sorted = Latencies.Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q / 100 * sorted.Count) - 1)];
        }
    }

    // `concurrency` workers send requests until `count` were sent or `limit` passed.
    private static async Task<Cell> Send(HttpClient http, Uri url, byte[] body, int concurrency, int count, TimeSpan limit)
    {
        var latencies = new List<double>();
        int errors = 0, next = 0;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count && wall.Elapsed < limit)
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var clock = Stopwatch.StartNew();
                bool ok;
                try
                {
                    using var response = await http.PostAsync(url, content);
                    await response.Content.ReadAsByteArrayAsync();
                    ok = response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }
                lock (latencies)
                {
                    if (ok) latencies.Add(clock.Elapsed.TotalMilliseconds);
                    else errors++;
                }
            }
        }));
        return new Cell(latencies, errors, latencies.Count / wall.Elapsed.TotalSeconds);
    }
}
