using System.CommandLine;
using CondInst.Kernels.Model.Benchmarking;

namespace CondInst.Kernels.Cli.Commands;

/// <summary>
/// <c>bench</c>: parses the arguments of <see cref="BenchRunner"/>, which times whole predictions and their stages;
/// its last line is <c>e2e_ms median=X min=Y max=Z</c>.
/// </summary>
public static class BenchCommand
{
    /// <summary>The command; <paramref name="peers"/> are extra devices the host program provides.</summary>
    public static Command Create(TextWriter stdout, IReadOnlyList<BenchPeer>? peers = null)
    {
        var weights = new Option<string>("--weights") { Description = $"Checkpoint (.pth / .safetensors) or '{BenchRunner.RandomWeights}' (seeded random R-50 weights, R-50 test settings).", Required = true };
        var image = new Option<string>("--image") { Description = $"Image file, or {BenchImage.SyntheticPrefix}WxH for a generated image of that size.", Required = true };
        var device = new Option<string>("--device") { Description = $"One of {string.Join(", ", BenchRunner.EngineDevices.Concat((peers ?? []).Select(p => p.Device)))}.", Required = true };
        var runs = new Option<int>("--runs") { Description = "Timed runs.", Required = true };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before the timed ones.", DefaultValueFactory = _ => 1 };
        var throughput = new Option<int>("--throughput") { Description = "Then this many images one after another and as one PredictBatch (decoding included): images per minute. 0 skips it.", DefaultValueFactory = _ => 0 };
        var command = new Command("bench", "Time whole predictions and their stages (ms, GFLOP/s, memory); last line: e2e_ms median=… min=… max=…")
        {
            weights, image, device, runs, warmup, throughput,
        };
        command.SetAction(r => BenchRunner.Run(new BenchRequest(r.GetValue(weights)!, r.GetValue(image)!, r.GetValue(device)!, r.GetValue(runs), r.GetValue(warmup), r.GetValue(throughput)), stdout, peers ?? []));
        return command;
    }
}
