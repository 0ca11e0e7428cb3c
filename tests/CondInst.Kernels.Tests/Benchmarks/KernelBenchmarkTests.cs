using CondInst.Kernels.Benchmarks;
using CondInst.Kernels.Benchmarks.Scaling;

namespace CondInst.Kernels.Tests.Benchmarks;

/// <summary>The kernel benchmark families' plumbing (what they run and how much work they claim), not their speed.</summary>
public sealed class KernelBenchmarkTests
{
    private static readonly Type[] Families = typeof(KernelBenchmark).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(KernelBenchmark)) && !t.IsAbstract).ToArray();

    [Fact]
    public void EveryFamilyHasNamedCasesAndPeersWhereItSaysSo()
    {
        Assert.Equal(7, Families.Length);
        foreach (var t in Families)
        {
            var b = (KernelBenchmark)Activator.CreateInstance(t)!;
            var names = b.CaseNames.ToList();
            Assert.NotEmpty(names);
            Assert.Equal(names.Count, names.Distinct().Count());
            bool ort = b.BackendIds.Contains(KernelBackends.OnnxRuntime);
            Assert.Equal(t.Name is "ConvBenchmarks" or "NormBenchmarks" or "ResampleBenchmarks", ort);
        }
    }

    [Fact]
    public void ConvWorkIsTwiceTheMacs()
    {
        var b = new ConvBenchmarks { Case = "3x3 256>256 @100x152" };
        Assert.Equal(2.0 * 256 * 256 * 9 * 100 * 152, b.WorkOf().Flop);
        b.Case = "7x7/2 3>64 @800x1216";
        Assert.Equal(2.0 * 64 * 3 * 49 * 400 * 608, b.WorkOf().Flop);
        b.Case = "no such case";
        Assert.Contains("unknown case", Assert.Throws<ArgumentException>(() => b.WorkOf()).Message);
    }

    [Theory]
    [InlineData(typeof(DetectionBenchmarks), "nms 1000 boxes", "cpu")]
    [InlineData(typeof(ResampleBenchmarks), "MaxPool 3x3/2 64 @400x608", "onnxruntime")]
    public void ACaseSetsUpRunsAndCleansUp(Type family, string name, string backend)
    {
        var b = (KernelBenchmark)Activator.CreateInstance(family)!;
        b.Case = name;
        b.Backend = backend;
        b.Setup();
        try
        {
            b.Run();
            b.Run();
        }
        finally
        {
            b.Cleanup();
        }
    }

    [Fact]
    public void ScalingRefusesUnknownSweeps()
    {
        var r = new ScalingCommand.ScalingRequest("r50-random", ["cpu"], 1, "/tmp/unused", [512], [1], [1], ["sizes"]);
        Assert.Contains("unknown sweep 'sizes'", Assert.Throws<ArgumentException>(() => ScalingCommand.Run(r, TextWriter.Null)).Message);
    }
}
