using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;

namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// The kernel benchmarks' configuration: BenchmarkDotNet's defaults (jobs come from the command line, e.g.
/// <c>--job short</c>) plus the GFLOP/s, GB/s and % peak columns, times in milliseconds.
/// </summary>
public static class KernelConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddColumn(new WorkColumn(WorkColumn.Kind.Gflops), new WorkColumn(WorkColumn.Kind.GBps), new WorkColumn(WorkColumn.Kind.PercentOfPeak))
        .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(Perfolizer.Horology.TimeUnit.Millisecond).WithMaxParameterColumnWidth(40))
        .WithOptions(ConfigOptions.JoinSummary);
}
