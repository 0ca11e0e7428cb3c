using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace CondInst.Kernels.Server;

/// <summary>The Open Inference Protocol over REST, plus <c>/v1/segment</c> and <c>/metrics</c>.</summary>
internal static class RestApi
{
    private const string Versioned = "/versions/{version}";

    /// <summary>Maps every REST endpoint.</summary>
    public static void Map(IEndpointRouteBuilder app, ModelService model, ServerMetrics metrics, ILogger log, long maxBody)
    {
        app.MapGet(ServerPaths.Live, ctx => Handle(ctx, "live", metrics, log, () => Json(ctx, 200, j => j.WriteBoolean("live", true))));
        app.MapGet(ServerPaths.Ready, ctx => Handle(ctx, "ready", metrics, log, () => Json(ctx, model.Ready ? 200 : 503, j => j.WriteBoolean("ready", model.Ready))));
        app.MapGet(ServerPaths.ServerMetadata, ctx => Handle(ctx, "server_metadata", metrics, log, () => Json(ctx, 200, j =>
        {
            j.WriteString("name", ServerPaths.ServerName);
            j.WriteString("version", ServerVersion);
            j.WriteStartArray("extensions");
            j.WriteEndArray();
        })));
        foreach (string suffix in new[] { "", Versioned })
        {
            app.MapGet(ServerPaths.ModelMetadata + suffix, ctx => Handle(ctx, "model_metadata", metrics, log, () =>
            {
                model.Check(Route(ctx, "name") ?? "", Route(ctx, "version"));
                return Json(ctx, 200, j => OipJson.WriteModelMetadata(j, model.Name), wrap: false);
            }));
            app.MapGet(ServerPaths.ModelMetadata + suffix + "/ready", ctx => Handle(ctx, "model_ready", metrics, log, () =>
            {
                model.Check(Route(ctx, "name") ?? "", Route(ctx, "version"));
                return Json(ctx, model.Ready ? 200 : 503, j =>
                {
                    j.WriteString("name", model.Name);
                    j.WriteBoolean("ready", model.Ready);
                });
            }));
            app.MapPost(ServerPaths.ModelMetadata + suffix + "/infer", ctx => Handle(ctx, "infer", metrics, log, async () =>
            {
                model.Check(Route(ctx, "name") ?? "", Route(ctx, "version"));
                var call = OipJson.ParseInfer(await ReadBody(ctx, metrics, maxBody));
                var outputs = await model.InferAsync(call, ctx.RequestAborted);
                await Json(ctx, 200, j => OipJson.WriteInfer(j, model.Name, call.Id, outputs), wrap: false);
            }));
        }
        app.MapPost(ServerPaths.Segment, ctx => Handle(ctx, "segment", metrics, log, async () =>
        {
            string overlay = ctx.Request.Query["overlay"].ToString();
            if (overlay is not ("" or "png")) throw ServeException.BadInput($"overlay={overlay}: the only overlay format is png");
            string fileName = ctx.Request.Query["file_name"].ToString() is { Length: > 0 } f ? f : "image";
            byte[] body = await ReadBody(ctx, metrics, maxBody);
            if (body.Length == 0) throw ServeException.BadInput("the request body is empty; send the image file as the body");
            var (image, result) = (await model.SegmentAsync([new ImageInput(body, null, 0, 0)], ctx.RequestAborted))[0];
            var clock = Stopwatch.StartNew();
            // Drawn instances follow infer's default overlay threshold (0.3, mmdetection's visualiser default).
            byte[] payload = overlay == "png" ? ModelAdapter.OverlayPng(image, result, 0.3f) : ModelService.ResultsJson(result, fileName);
            metrics.Stage("encode", clock.Elapsed.TotalSeconds);
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = overlay == "png" ? "image/png" : "application/json";
            ctx.Response.ContentLength = payload.Length;
            await ctx.Response.Body.WriteAsync(payload, ctx.RequestAborted);
        }));
        app.MapGet(ServerPaths.Metrics, async ctx =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await ctx.Response.WriteAsync(metrics.Render());
        });
    }

    /// <summary>The server's version (the assembly's informational version).</summary>
    public static string ServerVersion { get; } = typeof(RestApi).Assembly.GetName().Version?.ToString(3) ?? "0";

    private static string? Route(HttpContext ctx, string key) => ctx.Request.RouteValues[key] as string;

    // Counts the request, times it, and turns failures into {"error": "..."} with the documented status.
    private static async Task Handle(HttpContext ctx, string endpoint, ServerMetrics metrics, ILogger log, Func<Task> body)
    {
        metrics.Request("rest", endpoint);
        metrics.AddInFlight(1);
        var clock = Stopwatch.StartNew();
        try
        {
            await body();
        }
        catch (ServeException e)
        {
            await Error(ctx, (int)e.Http, e.Message, metrics, log);
        }
        catch (BadHttpRequestException e)
        {
            string message = e.StatusCode == 413 ? "the request body is over the size limit" : e.Message;
            await Error(ctx, e.StatusCode, message, metrics, log);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            metrics.Error("rest", "499"); // the client went away
        }
        catch (Exception e)
        {
            log.LogError(e, "internal error on {Path}", ctx.Request.Path.Value);
            await Error(ctx, 500, $"internal error: {e.Message}", metrics, log);
        }
        finally
        {
            metrics.AddInFlight(-1);
            if (endpoint is "infer" or "segment") metrics.Stage("total", clock.Elapsed.TotalSeconds);
        }
    }

    private static async Task Error(HttpContext ctx, int status, string message, ServerMetrics metrics, ILogger log)
    {
        metrics.Error("rest", status.ToString(CultureInfo.InvariantCulture));
        log.LogInformation("{Method} {Path} -> {Status}: {Error}", ctx.Request.Method, ctx.Request.Path.Value, status, message);
        if (ctx.Response.HasStarted) return;
        await Json(ctx, status, j => j.WriteString("error", message));
    }

    private static async Task<byte[]> ReadBody(HttpContext ctx, ServerMetrics metrics, long maxBody)
    {
        if (ctx.Request.ContentLength > maxBody)
            throw ServeException.TooLarge($"the request body is {ctx.Request.ContentLength} bytes, over the limit of {maxBody} bytes");
        var clock = Stopwatch.StartNew();
        var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        metrics.Stage("read", clock.Elapsed.TotalSeconds);
        return buffer.ToArray();
    }

    // Writes a JSON object: the members written by `members` inside braces, or (wrap: false) exactly what it writes.
    private static async Task Json(HttpContext ctx, int status, Action<Utf8JsonWriter> members, bool wrap = true)
    {
        var buffer = new MemoryStream();
        using (var j = new Utf8JsonWriter(buffer))
        {
            if (wrap) j.WriteStartObject();
            members(j);
            if (wrap) j.WriteEndObject();
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = buffer.Length;
        await ctx.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}
