using BenchmarkDotNet.Configs;

namespace CondInst.Kernels.Benchmarks;

/// <summary>BenchmarkDotNet configuration of the kernel benchmarks.</summary>
public static class KernelConfig
{
    public static IConfig Create() => DefaultConfig.Instance;
}
