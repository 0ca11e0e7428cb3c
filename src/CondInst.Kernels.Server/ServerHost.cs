using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CondInst.Kernels.Server;

/// <summary>
/// One running server: Kestrel with the REST port (HTTP/1.1) and the gRPC port (HTTP/2), the model loading in the
/// background (live at once, ready when loaded and warmed up). On <see cref="StopAsync"/> (and, under
/// <see cref="RunAsync"/>, on SIGTERM) it stops accepting connections, finishes the requests in flight within the
/// shutdown timeout, then frees the model. Only <see cref="RunAsync"/>, which owns the process, handles signals: a
/// server embedded with <see cref="StartAsync"/> (a test, a load generator, an application) leaves SIGTERM and Ctrl+C
/// to its host process.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ModelService _model;
    private Task? _loading;

    private ServerHost(WebApplication app, ModelService model) => (_app, _model) = (app, model);

    /// <summary>The bound REST port (useful with port 0).</summary>
    public int RestPort { get; private set; }

    /// <summary>The bound gRPC port.</summary>
    public int GrpcPort { get; private set; }

    /// <summary>Cancelled when a stop of this server has been requested (tests read it).</summary>
    internal CancellationToken StopRequested => _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    /// <summary>Completes when the model is loaded and warmed up; faults when loading failed.</summary>
    public Task Loaded => _loading ?? throw new InvalidOperationException("the server is not started");

    /// <summary>Builds a server for <paramref name="options"/>; logs go to the console.</summary>
    public static ServerHost Create(ServerOptions options) => Create(options, null, null);

    /// <summary>
    /// Builds a server; <paramref name="wrap"/> may put a wrapper around the model's predictor (tests use it to hold
    /// the model busy) and <paramref name="logging"/> replaces the console logging.
    /// </summary>
    internal static ServerHost Create(ServerOptions options, Func<ModelAdapter, IBatchPredictor>? wrap, Action<ILoggingBuilder>? logging)
    {
        if (!IPAddress.TryParse(options.Host, out var address))
            throw new ArgumentException($"{ServerSettings.Host.Flag}: expected an IP address (e.g. 127.0.0.1 or 0.0.0.0), found '{options.Host}'");
        if (!File.Exists(options.Weights))
            throw new FileNotFoundException($"{ServerSettings.Weights.Flag}: checkpoint '{options.Weights}' does not exist");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (logging is not null) logging(builder.Logging);
        else if (options.JsonLogs) builder.Logging.AddJsonConsole(o => (o.TimestampFormat, o.UseUtcTimestamp) = ("yyyy-MM-ddTHH:mm:ss.fffZ", true));
        else builder.Logging.AddSimpleConsole(o => (o.SingleLine, o.TimestampFormat, o.UseUtcTimestamp) = (true, "yyyy-MM-ddTHH:mm:ss.fffZ ", true));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information).AddFilter("Grpc", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            k.Listen(address, options.Port, l => l.Protocols = HttpProtocols.Http1);
            k.Listen(address, options.GrpcPort, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>(); // replaces the console lifetime's signal handlers
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutS));
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = (int)Math.Min(options.MaxRequestBytes, int.MaxValue);
            o.MaxSendMessageSize = null;
        });
        var metrics = new ServerMetrics();
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(sp => new ModelService(options, metrics, sp.GetRequiredService<ILoggerFactory>().CreateLogger("CondInst.Server"), wrap));
        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CondInst.Server");
        var model = app.Services.GetRequiredService<ModelService>();
        app.Use(async (ctx, next) =>
        {
            // One structured access-log line per request.
            var clock = Stopwatch.StartNew();
            await next(ctx);
            log.LogInformation("{Method} {Path} {Protocol} -> {Status} in {Ms:F1} ms", ctx.Request.Method, ctx.Request.Path.Value, ctx.Request.Protocol,
                ctx.Response.StatusCode, clock.Elapsed.TotalMilliseconds);
        });
        RestApi.Map(app, model, metrics, log, options.MaxRequestBytes);
        app.MapGrpcService<GrpcInferenceService>();
        return new ServerHost(app, model);
    }

    /// <summary>Starts listening and starts loading the model (see <see cref="Loaded"/>).</summary>
    public async Task StartAsync()
    {
        await _app.StartAsync().ConfigureAwait(false);
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a).Port).ToList();
        (RestPort, GrpcPort) = (addresses[0], addresses[1]);
        _app.Logger.LogInformation("listening: REST on port {RestPort}, gRPC on port {GrpcPort}", RestPort, GrpcPort);
        _loading = Task.Run(_model.Load);
    }

    /// <summary>
    /// Runs until SIGTERM / Ctrl+C: returns 0 after a clean stop (in-flight requests finished), 1 when the model
    /// could not be loaded (the error is logged).
    /// </summary>
    public async Task<int> RunAsync()
    {
        var lifetime = _app.Services.GetRequiredService<IHostApplicationLifetime>();
        // SIGTERM (Kubernetes' stop), Ctrl+C and SIGQUIT start the graceful stop; cancelling the default action keeps
        // the process alive until the requests in flight are answered.
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            lifetime.StopApplication();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
        await StartAsync().ConfigureAwait(false);
        int code = 0;
        _ = Loaded.ContinueWith(t =>
        {
            _app.Logger.LogCritical("cannot load the model: {Error}", t.Exception!.GetBaseException().Message);
            code = 1;
            lifetime.StopApplication();
        }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        await _app.WaitForShutdownAsync().ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
        _app.Logger.LogInformation("stopped");
        return code;
    }

    /// <summary>Stops gracefully: no new connections, in-flight requests finished (within the shutdown timeout).</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        if (_loading is not null) await _loading.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        await _model.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    // The host's lifetime without the console lifetime's signal handlers (see the class comment).
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
