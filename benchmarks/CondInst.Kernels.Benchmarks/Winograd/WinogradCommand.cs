using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace CondInst.Kernels.Benchmarks.Winograd;

/// <summary>
/// <c>winograd</c>: the cpu backend's 3x3 stride-1 algorithms (im2col GEMM, Winograd F(2x2, 3x3), F(4x4, 3x3)) on
/// every such layer of the R-50 CondInst. <c>--part error</c> prints each algorithm's error against a double-precision
/// direct convolution; <c>--part speed</c> times the three interleaved, round after round, and prints their ratios.
/// </summary>
public static class WinogradCommand
{
    private static readonly ConvAlgorithm[] Algorithms = [ConvAlgorithm.Gemm, ConvAlgorithm.Winograd2, ConvAlgorithm.Winograd4];

    public static Command Create(TextWriter stdout)
    {
        var parts = new Option<string>("--parts") { Description = "error, speed or both (comma-separated).", DefaultValueFactory = _ => "error,speed" };
        var samples = new Option<int>("--samples") { Description = "Output elements per layer checked against the double-precision sum.", DefaultValueFactory = _ => 20000 };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds per layer (each runs every algorithm once, after one warm-up round).", DefaultValueFactory = _ => 5 };
        var command = new Command("winograd", "Error and relative speed of GEMM, F(2x2, 3x3) and F(4x4, 3x3) per R-50 3x3 stride-1 layer.") { parts, samples, rounds };
        command.SetAction(r =>
        {
            var p = r.GetValue(parts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (p.FirstOrDefault(x => x is not ("error" or "speed")) is { } bad) throw new ArgumentException($"--parts: unknown part '{bad}', expected error or speed");
            int n = r.GetValue(samples), k = r.GetValue(rounds);
            if (n < 1) throw new ArgumentException($"--samples must be at least 1, found {n}");
            if (k < 1) throw new ArgumentException($"--rounds must be at least 1, found {k}");
            if (!ConvWinograd.Supported) throw new InvalidOperationException("winograd: this CPU lacks AVX2 + FMA, so the cpu backend has no Winograd path");
            if (p.Contains("error")) Error(stdout, n);
            if (p.Contains("speed")) Speed(stdout, k);
            return 0;
        });
        return command;
    }

    // Per layer: max |y - ref| / max |ref| and mean |y - ref| / mean |ref| over sampled outputs, per algorithm.
    private static void Error(TextWriter o, int samples)
    {
        o.WriteLine($"Error against a double-precision direct convolution, {samples} sampled outputs per layer (no bias, no ReLU); max = max|err| / max|ref|, mean = mean|err| / mean|ref|.");
        o.WriteLine();
        o.WriteLine("| layer | shape | GEMM max | GEMM mean | F(2x2) max | F(2x2) mean | F(4x4) max | F(4x4) mean | F(4x4) mean / F(2x2) mean |");
        o.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        using var backend = new CpuBackend();
        foreach (var layer in R50Conv3x3.All)
        {
            var rng = new Random(layer.Cin * 1009 + layer.Cout * 31 + layer.H);
            var w = layer.Weights(rng);
            var x = layer.Input(rng);
            int[] pick = new int[samples];
            int plane = layer.H * layer.W;
            for (int i = 0; i < samples; i++) pick[i] = rng.Next(layer.Cout * plane);
            var reference = pick.Select(i => Direct(layer, w, x, i / plane, i % plane / layer.W, i % layer.W)).ToArray();
            var row = new List<string> { layer.Name, layer.Shape };
            double mean2 = 0;
            foreach (var algorithm in Algorithms)
            {
                var y = Run(backend, layer, w, x, algorithm);
                double maxErr = 0, maxRef = 0, sumErr = 0, sumRef = 0;
                for (int i = 0; i < samples; i++)
                {
                    double e = Math.Abs(y[pick[i]] - reference[i]);
                    maxErr = Math.Max(maxErr, e);
                    maxRef = Math.Max(maxRef, Math.Abs(reference[i]));
                    sumErr += e;
                    sumRef += Math.Abs(reference[i]);
                }
                row.Add(Sci(maxErr / maxRef));
                row.Add(Sci(sumErr / sumRef));
                if (algorithm == ConvAlgorithm.Winograd2) mean2 = sumErr / sumRef;
                if (algorithm == ConvAlgorithm.Winograd4) row.Add(Inv($"{sumErr / sumRef / mean2:0.0}"));
            }
            o.WriteLine("| " + string.Join(" | ", row) + " |");
        }
        o.WriteLine();
    }

    // Rounds of (GEMM, F2, F4) in a rotating order so that no algorithm always follows the same one; medians and ratios.
    private static void Speed(TextWriter o, int rounds)
    {
        o.WriteLine($"Time of one run (batch 1) per layer, median of {rounds} interleaved rounds after one warm-up round, {CpuWorkers.Shared.Threads} threads, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        o.WriteLine();
        o.WriteLine("| layer | shape | GEMM ms | F(2x2) ms | F(4x4) ms | F(2x2) / GEMM | F(4x4) / GEMM | F(4x4) / F(2x2) | auto picks |");
        o.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---|");
        using var backend = new CpuBackend();
        foreach (var layer in R50Conv3x3.All)
        {
            var rng = new Random(layer.Cin * 1009 + layer.Cout * 31 + layer.H);
            var w = layer.Weights(rng);
            var x = layer.Input(rng);
            using var conv = (CpuConv)backend.PrepareConv(layer.Spec, w, [], []);
            using var xt = backend.Upload<float>(x, 1, layer.Cin, layer.H, layer.W);
            using var yt = backend.Allocate(DType.Float32, 1, layer.Cout, layer.H, layer.W);
            var times = Algorithms.Select(_ => new List<double>()).ToArray();
            for (int r = -1; r < rounds; r++)
                for (int j = 0; j < Algorithms.Length; j++)
                {
                    int a = (j + Math.Max(r, 0)) % Algorithms.Length;
                    conv.Algorithm = Algorithms[a];
                    var sw = Stopwatch.StartNew();
                    backend.Conv2d(conv, xt, yt);
                    double ms = sw.Elapsed.TotalMilliseconds;
                    if (r >= 0) times[a].Add(ms);
                }
            var med = times.Select(Median).ToArray();
            conv.Algorithm = ConvAlgorithm.Auto;
            int tile = CpuBackend.WinogradTile(conv, layer.H, layer.W);
            o.WriteLine(Inv($"| {layer.Name} | {layer.Shape} | {med[0]:0.00} | {med[1]:0.00} | {med[2]:0.00} | {med[1] / med[0]:0.00} | {med[2] / med[0]:0.00} | {med[2] / med[1]:0.00} | {(tile == 0 ? "GEMM" : $"F({tile}x{tile})")} |"));
        }
        o.WriteLine();
    }

    private static float[] Run(CpuBackend backend, R50Conv3x3 layer, float[] w, float[] x, ConvAlgorithm algorithm)
    {
        using var conv = (CpuConv)backend.PrepareConv(layer.Spec, w, [], []);
        conv.Algorithm = algorithm;
        using var xt = backend.Upload<float>(x, 1, layer.Cin, layer.H, layer.W);
        using var yt = backend.Allocate(DType.Float32, 1, layer.Cout, layer.H, layer.W);
        backend.Conv2d(conv, xt, yt);
        var y = new float[layer.Cout * layer.H * layer.W];
        backend.Download<float>(yt, y);
        return y;
    }

    // The direct convolution at one output element, in double.
    private static double Direct(R50Conv3x3 l, float[] w, float[] x, int o, int oy, int ox)
    {
        double acc = 0;
        for (int c = 0; c < l.Cin; c++)
            for (int ky = 0; ky < 3; ky++)
            {
                int iy = oy - 1 + ky;
                if ((uint)iy >= (uint)l.H) continue;
                for (int kx = 0; kx < 3; kx++)
                {
                    int ix = ox - 1 + kx;
                    if ((uint)ix >= (uint)l.W) continue;
                    acc += (double)w[((o * l.Cin + c) * 3 + ky) * 3 + kx] * x[(c * l.H + iy) * l.W + ix];
                }
            }
        return acc;
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string Sci(double v) => v.ToString("0.0e0", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
