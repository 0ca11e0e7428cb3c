using System.CommandLine;
using CondInst.Kernels.Server;

namespace CondInst.Kernels.Cli.Commands;

/// <summary><c>serve</c>: the Open Inference Protocol server (REST + gRPC) for one model; every option also reads an environment variable.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        // One option per server setting, from the server's own table (flag, variable and default stated there once).
        var options = ServerSettings.All.ToDictionary(s => s, s => new Option<string?>(s.Flag)
        {
            Description = $"{s.Description} [env {s.EnvironmentVariable}{(s.Default is null ? "" : $", default {s.Default}")}]",
        });
        var command = new Command("serve", "Serve the model over the Open Inference Protocol: REST /v2/... and /v1/segment, gRPC inference.GRPCInferenceService, /metrics. Stops cleanly on SIGTERM.");
        foreach (var o in options.Values) command.Options.Add(o);
        command.SetAction(r =>
        {
            var resolved = ServerSettings.Resolve(s => r.GetValue(options[s]));
            // The host handles SIGTERM / Ctrl+C itself (stop accepting, finish in-flight requests, exit 0).
            var host = ServerHost.Create(resolved);
            return host.RunAsync().GetAwaiter().GetResult();
        });
        return command;
    }
}
