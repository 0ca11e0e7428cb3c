using System.CommandLine;
using static CondInst.Kernels.Benchmarks.Interleaved;

namespace CondInst.Kernels.Benchmarks.Kernels;

/// <summary>
/// <c>convtable</c>: the R-50 CondInst's convolution shapes at a 1333x800 image (padded 1344x800), the cpu backend as
/// it dispatches them (Auto) against a one-node ONNX Runtime Conv with bias (idle threads sleeping), interleaved
/// round after round in one process; prints min and median of each and ORT's median over the engine's.
/// </summary>
public static class ConvTableCommand
{
    // name, spec, input height, input width.
    private static readonly (string Name, ConvSpec Spec, int H, int W)[] Shapes =
    [
        ("stem 7x7/2 3>64", ConvSpec.Square(3, 64, 7, stride: 2, pad: 3), 800, 1344),
        ("layer1 1x1 256>64", ConvSpec.Square(256, 64, 1), 200, 336),
        ("layer1 3x3 64>64", ConvSpec.Square(64, 64, 3, pad: 1), 200, 336),
        ("layer2.0 3x3/2 128>128", ConvSpec.Square(128, 128, 3, stride: 2, pad: 1), 200, 336),
        ("layer2 3x3 128>128", ConvSpec.Square(128, 128, 3, pad: 1), 100, 168),
        ("layer3.0 3x3/2 256>256", ConvSpec.Square(256, 256, 3, stride: 2, pad: 1), 100, 168),
        ("layer3 3x3 256>256", ConvSpec.Square(256, 256, 3, pad: 1), 50, 84),
        ("layer3 1x1 256>1024", ConvSpec.Square(256, 1024, 1), 50, 84),
        ("layer4.0 3x3/2 512>512", ConvSpec.Square(512, 512, 3, stride: 2, pad: 1), 50, 84),
        ("layer4 3x3 512>512", ConvSpec.Square(512, 512, 3, pad: 1), 25, 42),
        ("lateral 1x1 1024>256", ConvSpec.Square(1024, 256, 1), 50, 84),
        ("FPN/head 3x3 256>256 @P3", ConvSpec.Square(256, 256, 3, pad: 1), 100, 168),
        ("head 3x3 256>256 @P4", ConvSpec.Square(256, 256, 3, pad: 1), 50, 84),
        ("P6 3x3/2 256>256", ConvSpec.Square(256, 256, 3, stride: 2, pad: 1), 25, 42),
    ];

    public static Command Create(TextWriter stdout)
    {
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds per shape (each runs both once, after two warm-up rounds).", DefaultValueFactory = _ => 15 };
        var avx2 = new Option<bool>("--avx2")
        {
            Description = "Also run the engine with the AVX2 micro-kernel forced (GemmKernel.UseAvx512 off), interleaved with the default engine and ORT; needs an AVX-512 host.",
        };
        var only = new Option<string[]>("--shape") { Description = "Only the shapes whose name contains one of these texts (repeatable)." };
        var command = new Command("convtable", "The R-50's convolution shapes: the cpu backend against ONNX Runtime, interleaved.") { rounds, avx2, only };
        command.SetAction(r =>
        {
            int k = r.GetValue(rounds);
            if (k < 1) throw new ArgumentException($"--rounds must be at least 1, found {k}");
            bool compare = r.GetValue(avx2);
            if (compare && !GemmKernel.UseAvx512) throw new ArgumentException("--avx2 compares the AVX-512 micro-kernel with the AVX2 one; this host (or process) has no AVX-512");
            var filter = r.GetValue(only) ?? [];
            stdout.WriteLine(Inv($"conv with bias, batch 1, {k} interleaved rounds after 2 warm-up rounds, engine {CpuWorkers.Shared.Threads} threads, onnxruntime {KernelBackends.OrtThreads} threads (no spinning), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, ms."));
            stdout.WriteLine();
            if (compare)
            {
                stdout.WriteLine("| shape | input | engine path | GMAC | AVX2 min / median | AVX-512 min / median | ORT min / median | AVX-512 speed / AVX2 (median, min) | AVX-512 speed / ORT |");
                stdout.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|");
            }
            else
            {
                stdout.WriteLine("| shape | input | engine path | GMAC | engine min / median | ORT min / median | engine speed / ORT |");
                stdout.WriteLine("|---|---|---|---:|---:|---:|---:|");
            }
            foreach (var (name, spec, h, w) in Shapes)
                if (filter.Length == 0 || filter.Any(f => name.Contains(f, StringComparison.Ordinal))) Run(stdout, k, name, spec, h, w, compare);
            return 0;
        });
        return command;
    }

    private static void Run(TextWriter o, int rounds, string name, ConvSpec spec, int h, int w, bool compare)
    {
        int oh = spec.OutH(h), ow = spec.OutW(w);
        var rng = new Random(11);
        var weight = Floats(rng, spec.WeightCount, 0.05f);
        var bias = Floats(rng, spec.OutChannels, 1f);
        var x = Floats(rng, (long)spec.InChannels * h * w, 1f);
        using var backend = new CpuBackend();
        using var conv = (CpuConv)backend.PrepareConv(spec, weight, bias, []);
        using var xt = backend.Upload<float>(x, 1, spec.InChannels, h, w);
        using var y = backend.Allocate(DType.Float32, 1, spec.OutChannels, oh, ow);
        using var ort = OrtOneNode.Create([1, spec.InChannels, h, w], [1, spec.OutChannels, oh, ow], (g, xn) => g.Conv(xn, spec, weight, bias, "y"), spinning: false);
        Action engine = () => backend.Conv2d(conv, xt, y);
        Action forcedAvx2 = () =>
        {
            GemmKernel.UseAvx512 = false;
            try
            {
                backend.Conv2d(conv, xt, y);
            }
            finally
            {
                GemmKernel.UseAvx512 = true;
            }
        };
        Action[] runs = compare ? [forcedAvx2, engine, ort.Run] : [engine, ort.Run];
        var times = Interleaved.Time(rounds, runs);
        int tile = CpuBackend.WinogradTile(conv, oh, ow);
        string path = tile > 0 ? $"Winograd F({tile}x{tile})" : CpuBackend.UsePhaseGemm(conv) ? "phase-split GEMM" : CpuBackend.UsePhasePack(conv) ? "phase-packed GEMM" : "im2col GEMM";
        string Cell(int j) => Inv($"{times[j].Min():0.00} / {Median(times[j]):0.00}");
        if (compare)
            o.WriteLine(Inv($"| {name} | {h}x{w} | {path} | {spec.Macs(oh, ow) / 1e9:0.00} | {Cell(0)} | {Cell(1)} | {Cell(2)} | {Median(times[0]) / Median(times[1]):0.00}x, {times[0].Min() / times[1].Min():0.00}x | {Median(times[2]) / Median(times[1]):0.00}x |"));
        else
            o.WriteLine(Inv($"| {name} | {h}x{w} | {path} | {spec.Macs(oh, ow) / 1e9:0.00} | {Cell(0)} | {Cell(1)} | {Median(times[1]) / Median(times[0]):0.00}x |"));
    }

}
