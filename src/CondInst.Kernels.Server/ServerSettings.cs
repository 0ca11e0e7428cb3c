using System.Globalization;

namespace CondInst.Kernels.Server;

/// <summary>One setting of <c>condinst serve</c>: its flag, its environment variable and its default, stated once.</summary>
/// <param name="Flag">Command-line flag (with the leading dashes).</param>
/// <param name="EnvironmentVariable">Environment variable read when the flag is absent.</param>
/// <param name="Default">Value used when neither is given; null means required.</param>
/// <param name="Description">One line for --help and the README.</param>
public sealed record ServerSetting(string Flag, string EnvironmentVariable, string? Default, string Description);

/// <summary>
/// Every setting of the server (flag &gt; environment variable &gt; default). The CLI builds its options from this
/// table, and the deployment manifests are checked against it, so a flag or variable exists here or nowhere.
/// </summary>
public static class ServerSettings
{
    /// <summary>Checkpoint file (.pth or .safetensors).</summary>
    public static readonly ServerSetting Weights = new("--weights", "CONDINST_WEIGHTS", null, "Checkpoint: .pth (zip or legacy) or .safetensors");

    /// <summary>REST port (HTTP/1.1).</summary>
    public static readonly ServerSetting Port = new("--port", "CONDINST_PORT", "8080", "REST port (HTTP/1.1): /v2/..., /v1/segment, /metrics; 0 picks a free one");

    /// <summary>gRPC port (HTTP/2 without TLS).</summary>
    public static readonly ServerSetting GrpcPort = new("--grpc-port", "CONDINST_GRPC_PORT", "8081", "gRPC port (HTTP/2, plaintext): inference.GRPCInferenceService; 0 picks a free one");

    /// <summary>Listen address.</summary>
    public static readonly ServerSetting Host = new("--host", "CONDINST_HOST", "127.0.0.1", "Address to listen on (0.0.0.0 in a container)");

    /// <summary>Device the model runs on.</summary>
    public static readonly ServerSetting Device = new("--device", "CONDINST_DEVICE", "auto", "auto, cpu, opencl, cuda or ilgpu-cpu (optionally with :index)");

    /// <summary>Model name in the protocol's paths.</summary>
    public static readonly ServerSetting Name = new("--name", "CONDINST_MODEL_NAME", "condinst", "Model name in /v2/models/{name}");

    /// <summary>Requests that may wait for the model; more are refused at once.</summary>
    public static readonly ServerSetting QueueCapacity = new("--queue-capacity", "CONDINST_QUEUE_CAPACITY", "16", "Requests that may wait for the model; when full, 429 / RESOURCE_EXHAUSTED at once");

    /// <summary>Largest group of queued images taken in one model pass.</summary>
    public static readonly ServerSetting MaxBatch = new("--max-batch", "CONDINST_MAX_BATCH", "1", "Dynamic batching: most images taken from the queue for one model pass (1 = off)");

    /// <summary>How long the first queued image waits for company.</summary>
    public static readonly ServerSetting MaxDelayMs = new("--max-delay-ms", "CONDINST_MAX_DELAY_MS", "0", "Dynamic batching: milliseconds the first queued image waits for others");

    /// <summary>Largest accepted request.</summary>
    public static readonly ServerSetting MaxRequestMb = new("--max-request-mb", "CONDINST_MAX_REQUEST_MB", "32", "Largest request body / gRPC message in MiB; larger is 413 / RESOURCE_EXHAUSTED");

    /// <summary>Per-request deadline.</summary>
    public static readonly ServerSetting RequestTimeoutMs = new("--request-timeout-ms", "CONDINST_REQUEST_TIMEOUT_MS", "60000", "Per-request deadline (queue + model) in ms; past it 504 / DEADLINE_EXCEEDED");

    /// <summary>Grace period on SIGTERM.</summary>
    public static readonly ServerSetting ShutdownTimeoutS = new("--shutdown-timeout-s", "CONDINST_SHUTDOWN_TIMEOUT_S", "30", "On SIGTERM: seconds to finish in-flight requests before exiting");

    /// <summary>Log line format.</summary>
    public static readonly ServerSetting LogFormat = new("--log-format", "CONDINST_LOG_FORMAT", "json", "Log lines: json (one object per line) or text");

    /// <summary>All settings, in --help order.</summary>
    public static IReadOnlyList<ServerSetting> All { get; } =
        [Weights, Port, GrpcPort, Host, Device, Name, QueueCapacity, MaxBatch, MaxDelayMs, MaxRequestMb, RequestTimeoutMs, ShutdownTimeoutS, LogFormat];

    /// <summary>
    /// Resolves every setting: <paramref name="flagValue"/> (null when the flag is absent), else the environment
    /// variable, else the default. A missing required value or a malformed number is one error naming flag and variable.
    /// </summary>
    public static ServerOptions Resolve(Func<ServerSetting, string?> flagValue, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string Get(ServerSetting s)
        {
            string? v = flagValue(s);
            if (string.IsNullOrEmpty(v)) v = environment(s.EnvironmentVariable);
            if (string.IsNullOrEmpty(v)) v = s.Default;
            return v ?? throw new ArgumentException($"{s.Flag} (or {s.EnvironmentVariable}) is required");
        }
        int Int(ServerSetting s, int min, int max)
        {
            string text = Get(s);
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
                throw new ArgumentException($"{s.Flag} (or {s.EnvironmentVariable}): expected an integer in {min}..{max}, found '{text}'");
            return v;
        }
        string format = Get(LogFormat);
        if (format is not ("json" or "text"))
            throw new ArgumentException($"{LogFormat.Flag} (or {LogFormat.EnvironmentVariable}): expected json or text, found '{format}'");
        return new ServerOptions
        {
            Weights = Get(Weights),
            Port = Int(Port, 0, 65535),
            GrpcPort = Int(GrpcPort, 0, 65535),
            Host = Get(Host),
            Device = Get(Device),
            ModelName = Get(Name),
            QueueCapacity = Int(QueueCapacity, 1, 100_000),
            MaxBatch = Int(MaxBatch, 1, 1024),
            MaxDelayMs = Int(MaxDelayMs, 0, 60_000),
            MaxRequestBytes = (long)Int(MaxRequestMb, 1, 2047) << 20,
            RequestTimeoutMs = Int(RequestTimeoutMs, 1, 86_400_000),
            ShutdownTimeoutS = Int(ShutdownTimeoutS, 0, 3600),
            JsonLogs = format == "json",
        };
    }
}
