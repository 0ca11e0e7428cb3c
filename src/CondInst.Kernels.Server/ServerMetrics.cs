using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace CondInst.Kernels.Server;

/// <summary>
/// The server's counters, gauges and histograms, written at <c>/metrics</c> in the Prometheus text exposition format
/// (version 0.0.4). Thread-safe; cheap enough to update on every request.
/// </summary>
internal sealed class ServerMetrics
{
    /// <summary>Histogram bucket upper bounds, seconds: 1 ms to 60 s, roughly ×2.5 apart.</summary>
    public static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>The stages timed per request.</summary>
    public static readonly string[] Stages = ["read", "decode", "queue", "model", "encode", "total"];

    private readonly ConcurrentDictionary<(string Protocol, string Endpoint), long> _requests = new();
    private readonly ConcurrentDictionary<(string Protocol, string Code), long> _errors = new();
    private readonly Dictionary<string, Histogram> _stages = Stages.ToDictionary(s => s, _ => new Histogram(Buckets));
    private readonly Histogram _batchSizes = new([1, 2, 4, 8, 16, 32, 64]);
    private long _queueDepth;
    private long _inFlight;

    /// <summary>Requests waiting for the model now.</summary>
    public long QueueDepth => Interlocked.Read(ref _queueDepth);

    /// <summary>Requests being served now (all endpoints).</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Counts a request to <paramref name="endpoint"/> over <paramref name="protocol"/> (rest or grpc).</summary>
    public void Request(string protocol, string endpoint) => _requests.AddOrUpdate((protocol, endpoint), 1, (_, n) => n + 1);

    /// <summary>Counts a refused or failed request by its status (HTTP number or gRPC code name).</summary>
    public void Error(string protocol, string code) => _errors.AddOrUpdate((protocol, code), 1, (_, n) => n + 1);

    /// <summary>Records <paramref name="seconds"/> spent in <paramref name="stage"/> (one of <see cref="Stages"/>).</summary>
    public void Stage(string stage, double seconds) => _stages[stage].Observe(seconds);

    /// <summary>Records the number of images in one model pass.</summary>
    public void Batch(int images) => _batchSizes.Observe(images);

    /// <summary>Adds <paramref name="delta"/> to the queue depth.</summary>
    public void AddQueueDepth(int delta) => Interlocked.Add(ref _queueDepth, delta);

    /// <summary>Adds <paramref name="delta"/> to the in-flight gauge.</summary>
    public void AddInFlight(int delta) => Interlocked.Add(ref _inFlight, delta);

    /// <summary>The exposition text.</summary>
    public string Render()
    {
        var o = new StringBuilder();
        Header(o, "condinst_requests_total", "counter", "Requests received, by protocol and endpoint.");
        foreach (var ((protocol, endpoint), n) in _requests.OrderBy(k => k.Key))
            o.Append(CultureInfo.InvariantCulture, $"condinst_requests_total{{protocol=\"{protocol}\",endpoint=\"{endpoint}\"}} {n}\n");
        Header(o, "condinst_errors_total", "counter", "Requests answered with an error, by protocol and status (HTTP status or gRPC code).");
        foreach (var ((protocol, code), n) in _errors.OrderBy(k => k.Key))
            o.Append(CultureInfo.InvariantCulture, $"condinst_errors_total{{protocol=\"{protocol}\",code=\"{code}\"}} {n}\n");
        Header(o, "condinst_queue_depth", "gauge", "Requests waiting for the model.");
        o.Append(CultureInfo.InvariantCulture, $"condinst_queue_depth {QueueDepth}\n");
        Header(o, "condinst_requests_in_flight", "gauge", "Requests being served.");
        o.Append(CultureInfo.InvariantCulture, $"condinst_requests_in_flight {InFlight}\n");
        Header(o, "condinst_stage_seconds", "histogram", "Time per request spent in each stage: read, decode, queue, model, encode, total.");
        foreach (var stage in Stages) _stages[stage].Render(o, "condinst_stage_seconds", $"stage=\"{stage}\"");
        Header(o, "condinst_batch_images", "histogram", "Images per model pass.");
        _batchSizes.Render(o, "condinst_batch_images", null);
        return o.ToString();
    }

    private static void Header(StringBuilder o, string name, string type, string help) =>
        o.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    // Fixed upper bounds; one count per bucket (non-cumulative), summed cumulatively when rendered.
    private sealed class Histogram(double[] bounds)
    {
        private readonly object _gate = new();
        private readonly long[] _counts = new long[bounds.Length + 1];
        private double _sum;

        public void Observe(double v)
        {
            int i = 0;
            while (i < bounds.Length && v > bounds[i]) i++;
            lock (_gate)
            {
                _counts[i]++;
                _sum += v;
            }
        }

        public void Render(StringBuilder o, string name, string? label)
        {
            long[] counts;
            double sum;
            lock (_gate) (counts, sum) = ((long[])_counts.Clone(), _sum);
            string prefix = label is null ? "" : label + ",";
            long cumulative = 0;
            for (int i = 0; i <= bounds.Length; i++)
            {
                cumulative += counts[i];
                string le = i < bounds.Length ? bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
                o.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"{le}\"}} {cumulative}\n");
            }
            string labels = label is null ? "" : $"{{{label}}}";
            o.Append(CultureInfo.InvariantCulture, $"{name}_sum{labels} {sum.ToString("R", CultureInfo.InvariantCulture)}\n");
            o.Append(CultureInfo.InvariantCulture, $"{name}_count{labels} {cumulative}\n");
        }
    }
}
