using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// Rate columns from a case's nominal <see cref="Work"/> and its mean time: GFLOP/s, GB/s, and GFLOP/s as a
/// percentage of the device's FP32 peak (<see cref="Peaks"/>).
/// </summary>
public sealed class WorkColumn : IColumn
{
    /// <summary>What the column shows.</summary>
    public enum Kind
    {
        /// <summary>10⁹ floating-point operations per second.</summary>
        Gflops,

        /// <summary>10⁹ bytes per second of minimum traffic.</summary>
        GBps,

        /// <summary>GFLOP/s over the device's nominal FP32 peak.</summary>
        PercentOfPeak,
    }

    private readonly Kind _kind;

    public WorkColumn(Kind kind) => _kind = kind;

    public string Id => $"{nameof(WorkColumn)}.{_kind}";

    public string ColumnName => _kind switch { Kind.Gflops => "GFLOP/s", Kind.GBps => "GB/s", _ => "% peak" };

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => (int)_kind;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => _kind switch
    {
        Kind.Gflops => "Nominal floating-point operations per invocation / mean time (2 per multiply-add)",
        Kind.GBps => "Minimum bytes (inputs read once, outputs written once) / mean time",
        _ => "GFLOP/s as % of the FP32 peak (CPU: cores x 2 FMA x 8 lanes x 2 x clock, or CONDINST_CPU_PEAK_GFLOPS; GPU: CONDINST_GPU_PEAK_GFLOPS)",
    };

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null || stats.Mean <= 0) return "-";
        var work = WorkOf(benchmarkCase);
        double seconds = stats.Mean * 1e-9;
        string backend = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == nameof(KernelBenchmark.Backend))?.Value as string ?? "";
        double? value = _kind switch
        {
            Kind.Gflops => work.Flop > 0 ? work.Flop / seconds / 1e9 : null,
            Kind.GBps => work.Bytes > 0 ? work.Bytes / seconds / 1e9 : null,
            _ => work.Flop > 0 && Peaks.For(backend) is { } peak ? 100 * work.Flop / seconds / 1e9 / peak : null,
        };
        return value is { } v ? v.ToString(v >= 100 ? "F0" : "F1", CultureInfo.InvariantCulture) : "-";
    }

    // A fresh instance with the case's parameters set: WorkOf needs only Backend and Case, not the set-up.
    private static Work WorkOf(BenchmarkCase benchmarkCase)
    {
        if (Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not KernelBenchmark b) return default;
        foreach (var p in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(p.Name)?.SetValue(b, p.Value);
        return b.WorkOf();
    }

    public override string ToString() => ColumnName;
}

/// <summary>Nominal FP32 peaks for the % peak column.</summary>
public static class Peaks
{
    /// <summary>
    /// GFLOP/s peak of the device behind <paramref name="backend"/>: for the CPU paths (cpu, onnxruntime, ilgpu-cpu)
    /// CONDINST_CPU_PEAK_GFLOPS or cores × 2 FMA units × lanes × 2 × clock (AVX2: 8 lanes; clock from /proc/cpuinfo);
    /// for GPUs CONDINST_GPU_PEAK_GFLOPS, else unknown (null).
    /// </summary>
    public static double? For(string backend)
    {
        bool gpu = backend.StartsWith("cuda", StringComparison.Ordinal) || backend.StartsWith("opencl", StringComparison.Ordinal);
        if (gpu) return Env("CONDINST_GPU_PEAK_GFLOPS");
        return Env("CONDINST_CPU_PEAK_GFLOPS") ?? CpuNominal();
    }

    /// <summary>cores × 2 FMA × lanes × 2 × GHz, or null when the clock is unknown.</summary>
    public static double? CpuNominal()
    {
        double? ghz = null;
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal));
            if (line != null && double.TryParse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture, out double mhz)) ghz = mhz / 1000;
        }
        catch (IOException)
        {
        }
        int lanes = System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 8 : 4;
        int fmaUnits = System.Runtime.Intrinsics.X86.Fma.IsSupported ? 2 : 1;
        return ghz is { } g ? Environment.ProcessorCount * fmaUnits * lanes * 2 * g : null;
    }

    private static double? Env(string name) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out double v) && v > 0 ? v : null;
}
