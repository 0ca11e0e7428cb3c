using System.Net;
using Grpc.Core;

namespace CondInst.Kernels.Server;

/// <summary>A request the server refuses, with its REST status and gRPC code (one table, both protocols).</summary>
internal sealed class ServeException : Exception
{
    private ServeException(HttpStatusCode http, StatusCode grpc, string message) : base(message) => (Http, Grpc) = (http, grpc);

    /// <summary>REST status.</summary>
    public HttpStatusCode Http { get; }

    /// <summary>gRPC status code.</summary>
    public StatusCode Grpc { get; }

    /// <summary>Malformed or unusable input: 400 / INVALID_ARGUMENT.</summary>
    public static ServeException BadInput(string message) => new(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, message);

    /// <summary>Unknown model or version: 404 / NOT_FOUND.</summary>
    public static ServeException NotFound(string message) => new(HttpStatusCode.NotFound, StatusCode.NotFound, message);

    /// <summary>The queue is full: 429 / RESOURCE_EXHAUSTED.</summary>
    public static ServeException Overloaded(string message) => new(HttpStatusCode.TooManyRequests, StatusCode.ResourceExhausted, message);

    /// <summary>The request is over the size limit: 413 / RESOURCE_EXHAUSTED.</summary>
    public static ServeException TooLarge(string message) => new(HttpStatusCode.RequestEntityTooLarge, StatusCode.ResourceExhausted, message);

    /// <summary>Model not loaded yet, or the server is stopping: 503 / UNAVAILABLE.</summary>
    public static ServeException Unavailable(string message) => new(HttpStatusCode.ServiceUnavailable, StatusCode.Unavailable, message);

    /// <summary>The per-request deadline passed: 504 / DEADLINE_EXCEEDED.</summary>
    public static ServeException Deadline(string message) => new(HttpStatusCode.GatewayTimeout, StatusCode.DeadlineExceeded, message);
}
