namespace CondInst.Kernels.Server;

/// <summary>The resolved settings of one server (see <see cref="ServerSettings"/> for flags, variables and defaults).</summary>
public sealed record ServerOptions
{
    /// <summary>Checkpoint path.</summary>
    public required string Weights { get; init; }

    /// <summary>REST port; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>gRPC port; 0 picks a free one.</summary>
    public int GrpcPort { get; init; } = 8081;

    /// <summary>Listen address.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Device name.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Model name in the protocol's paths.</summary>
    public string ModelName { get; init; } = "condinst";

    /// <summary>Requests that may wait for the model.</summary>
    public int QueueCapacity { get; init; } = 16;

    /// <summary>Most images per model pass.</summary>
    public int MaxBatch { get; init; } = 1;

    /// <summary>Milliseconds the first queued image waits for others.</summary>
    public int MaxDelayMs { get; init; }

    /// <summary>Largest request body or gRPC message, bytes.</summary>
    public long MaxRequestBytes { get; init; } = 32L << 20;

    /// <summary>Per-request deadline, ms.</summary>
    public int RequestTimeoutMs { get; init; } = 60_000;

    /// <summary>Grace period for in-flight requests on shutdown, s.</summary>
    public int ShutdownTimeoutS { get; init; } = 30;

    /// <summary>JSON log lines (else plain text).</summary>
    public bool JsonLogs { get; init; } = true;
}
