using System.CommandLine;
using static CondInst.Kernels.Benchmarks.Interleaved;

namespace CondInst.Kernels.Benchmarks.Stem;

/// <summary>
/// <c>stem</c>: the 7x7 stride-2 stem convolution (3→64, pad 3, bias, 800x1216 input) timed interleaved in one
/// process: the cpu backend's im2col GEMM, its phase-split GEMM and a one-node ONNX Runtime Conv (idle threads not
/// spinning, so that they leave the cores to the engine's runs), round after round in a rotating order; prints
/// min and median per contender and the largest difference between the two engine paths' outputs.
/// </summary>
public static class StemCommand
{
    private static readonly string[] Names = ["engine im2col GEMM", "engine phase-split GEMM", "onnxruntime Conv"];

    public static Command Create(TextWriter stdout)
    {
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds (each runs every contender once, after two warm-up rounds).", DefaultValueFactory = _ => 20 };
        var height = new Option<int>("--height") { Description = "Input height.", DefaultValueFactory = _ => 800 };
        var width = new Option<int>("--width") { Description = "Input width.", DefaultValueFactory = _ => 1216 };
        var command = new Command("stem", "Interleaved timing of the 7x7/2 stem convolution: im2col GEMM, phase-split GEMM, ONNX Runtime.") { rounds, height, width };
        command.SetAction(r =>
        {
            int k = r.GetValue(rounds), h = r.GetValue(height), w = r.GetValue(width);
            if (k < 1) throw new ArgumentException($"--rounds must be at least 1, found {k}");
            Run(stdout, k, h, w);
            return 0;
        });
        return command;
    }

    private static void Run(TextWriter o, int rounds, int h, int w)
    {
        var spec = ConvSpec.Square(3, 64, 7, stride: 2, pad: 3);
        int oh = spec.OutH(h), ow = spec.OutW(w);
        var rng = new Random(7);
        var weight = Floats(rng, spec.WeightCount, 0.05f);
        var bias = Floats(rng, spec.OutChannels, 1f);
        var x = Floats(rng, 3L * h * w, 1f);
        using var backend = new CpuBackend();
        using var conv = (CpuConv)backend.PrepareConv(spec, weight, bias, []);
        using var xt = backend.Upload<float>(x, 1, 3, h, w);
        using var y0 = backend.Allocate(DType.Float32, 1, 64, oh, ow);
        using var y1 = backend.Allocate(DType.Float32, 1, 64, oh, ow);
        using var ort = OrtOneNode.Create([1, 3, h, w], [1, 64, oh, ow], (g, xn) => g.Conv(xn, spec, weight, bias, "y"), spinning: false);
        Action[] runs =
        [
            () => { conv.Algorithm = ConvAlgorithm.Gemm; backend.Conv2d(conv, xt, y0); },
            () => { conv.Algorithm = ConvAlgorithm.PhaseGemm; backend.Conv2d(conv, xt, y1); },
            ort.Run,
        ];
        var times = Interleaved.Time(rounds, runs);
        var a0 = new float[64L * oh * ow];
        var a1 = new float[a0.Length];
        backend.Download<float>(y0, a0);
        backend.Download<float>(y1, a1);
        double diff = 0;
        for (long i = 0; i < a0.LongLength; i++) diff = Math.Max(diff, Math.Abs(a0[i] - a1[i]));
        o.WriteLine(Inv($"7x7/2 3>64 @{h}x{w}, bias, {rounds} interleaved rounds after 2 warm-up rounds, engine {CpuWorkers.Shared.Threads} threads, onnxruntime {KernelBackends.OrtThreads} threads (no spinning), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC."));
        o.WriteLine();
        o.WriteLine("| contender | min ms | median ms | median / onnxruntime |");
        o.WriteLine("|---|---:|---:|---:|");
        double ortMedian = Median(times[2]);
        for (int j = 0; j < runs.Length; j++)
            o.WriteLine(Inv($"| {Names[j]} | {times[j].Min():0.00} | {Median(times[j]):0.00} | {Median(times[j]) / ortMedian:0.00} |"));
        o.WriteLine();
        o.WriteLine(Inv($"max |im2col GEMM - phase-split GEMM| = {diff:g3}"));
    }

}
