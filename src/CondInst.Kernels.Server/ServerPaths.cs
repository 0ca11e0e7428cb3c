namespace CondInst.Kernels.Server;

/// <summary>The REST paths the server answers (stated once; the deployment manifests' probes are checked against them).</summary>
public static class ServerPaths
{
    /// <summary>Liveness: 200 while the process serves.</summary>
    public const string Live = "/v2/health/live";

    /// <summary>Readiness: 200 once the model is loaded and warmed up, else 503.</summary>
    public const string Ready = "/v2/health/ready";

    /// <summary>Server metadata.</summary>
    public const string ServerMetadata = "/v2";

    /// <summary>Model metadata (also under /versions/{version}).</summary>
    public const string ModelMetadata = "/v2/models/{name}";

    /// <summary>Model readiness.</summary>
    public const string ModelReady = "/v2/models/{name}/ready";

    /// <summary>Inference.</summary>
    public const string Infer = "/v2/models/{name}/infer";

    /// <summary>Convenience: the image as the body, COCO results (or <c>?overlay=png</c>) back.</summary>
    public const string Segment = "/v1/segment";

    /// <summary>Prometheus metrics.</summary>
    public const string Metrics = "/metrics";

    /// <summary>The server's name in its metadata.</summary>
    public const string ServerName = "condinst-kernels";
}
