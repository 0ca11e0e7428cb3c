using System.CommandLine;
using static CondInst.Kernels.Benchmarks.Interleaved;

namespace CondInst.Kernels.Benchmarks.Stem;

/// <summary>
/// <c>strided</c>: the R-50's 3x3 stride-2 convolutions (pad 1, bias) timed interleaved in one process, shape by
/// shape: the cpu backend's im2col GEMM, the same GEMM packing B from column phases, and a one-node ONNX Runtime Conv
/// (idle threads not spinning), round after round in a rotating order; prints min and median per contender and
/// whether the two engine paths gave the same bits.
/// </summary>
public static class StridedCommand
{
    private static readonly string[] Names = ["im2col GEMM", "phase-packed GEMM", "onnxruntime Conv"];

    // channels, input height, input width: layer2.0.conv2, layer3.0.conv2, layer4.0.conv2 at 800x1344, P6, P7.
    private static readonly (int C, int H, int W)[] Shapes = [(128, 200, 336), (256, 100, 168), (512, 50, 84), (256, 25, 42), (256, 7, 11)];

    public static Command Create(TextWriter stdout)
    {
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds per shape (each runs every contender once, after two warm-up rounds).", DefaultValueFactory = _ => 20 };
        var only = new Option<int>("--shape") { Description = "Only this shape (1-5; 0: all).", DefaultValueFactory = _ => 0 };
        var command = new Command("strided", "Interleaved timing of the R-50's 3x3/2 convolutions: im2col GEMM, phase-packed GEMM, ONNX Runtime.") { rounds, only };
        command.SetAction(r =>
        {
            int k = r.GetValue(rounds), pick = r.GetValue(only);
            if (k < 1) throw new ArgumentException($"--rounds must be at least 1, found {k}");
            if (pick < 0 || pick > Shapes.Length) throw new ArgumentException($"--shape must be 0 to {Shapes.Length}, found {pick}");
            stdout.WriteLine(Inv($"3x3/2 pad 1, bias, {k} interleaved rounds after 2 warm-up rounds, engine {CpuWorkers.Shared.Threads} threads, onnxruntime {KernelBackends.OrtThreads} threads (no spinning), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, ms."));
            stdout.WriteLine();
            stdout.WriteLine("| shape | im2col GEMM min / median | phase-packed min / median | ORT min / median | phase / im2col | phase / ORT | same bits |");
            stdout.WriteLine("|---|---:|---:|---:|---:|---:|---|");
            for (int i = 0; i < Shapes.Length; i++)
                if (pick == 0 || pick == i + 1) Run(stdout, k, Shapes[i].C, Shapes[i].H, Shapes[i].W);
            return 0;
        });
        return command;
    }

    private static void Run(TextWriter o, int rounds, int c, int h, int w)
    {
        var spec = ConvSpec.Square(c, c, 3, stride: 2, pad: 1);
        int oh = spec.OutH(h), ow = spec.OutW(w);
        var rng = new Random(7);
        var weight = Floats(rng, spec.WeightCount, 0.05f);
        var bias = Floats(rng, c, 1f);
        var x = Floats(rng, (long)c * h * w, 1f);
        using var backend = new CpuBackend();
        using var conv = (CpuConv)backend.PrepareConv(spec, weight, bias, []);
        using var xt = backend.Upload<float>(x, 1, c, h, w);
        using var y0 = backend.Allocate(DType.Float32, 1, c, oh, ow);
        using var y1 = backend.Allocate(DType.Float32, 1, c, oh, ow);
        using var ort = OrtOneNode.Create([1, c, h, w], [1, c, oh, ow], (g, xn) => g.Conv(xn, spec, weight, bias, "y"), spinning: false);
        Action[] runs =
        [
            () => { conv.Algorithm = ConvAlgorithm.Gemm; backend.Conv2d(conv, xt, y0); },
            () => { conv.Algorithm = ConvAlgorithm.PhaseGemm; backend.Conv2d(conv, xt, y1); },
            ort.Run,
        ];
        var times = Interleaved.Time(rounds, runs);
        var a0 = new float[(long)c * oh * ow];
        var a1 = new float[a0.Length];
        backend.Download<float>(y0, a0);
        backend.Download<float>(y1, a1);
        bool same = true;
        for (long i = 0; i < a0.LongLength; i++) same &= BitConverter.SingleToInt32Bits(a0[i]) == BitConverter.SingleToInt32Bits(a1[i]);
        double ortMedian = Median(times[2]);
        string Cell(int j) => Inv($"{times[j].Min():0.00} / {Median(times[j]):0.00}");
        o.WriteLine(Inv($"| {c}>{c} @{h}x{w} | {Cell(0)} | {Cell(1)} | {Cell(2)} | {Median(times[1]) / Median(times[0]):0.00} | {Median(times[1]) / ortMedian:0.00} | {(same ? "yes" : "NO")} |"));
    }

}
