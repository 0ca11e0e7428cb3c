using CondInst.Kernels.Benchmarks;
using CondInst.Kernels.Benchmarks.Scaling;
using CondInst.Kernels.Tests.Ops;

namespace CondInst.Kernels.Tests.Benchmarks;

/// <summary>The kernel benchmark families' plumbing (what they run and how much work they claim), not their speed.</summary>
public sealed class KernelBenchmarkTests
{
    private static readonly Type[] Families = typeof(KernelBenchmark).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(KernelBenchmark)) && !t.IsAbstract).ToArray();

    // The families whose every case has a one-node ONNX Runtime peer.
    private static readonly string[] OrtFamilies = ["Conv", "Norm", "Elementwise", "Resample"];

    [Fact]
    public void OneBenchmarkClassPerOpFamilyWithNamedCasesAndPeersWhereItSaysSo()
    {
        Assert.Equal(OpFamilyFilesTests.Families.Select(f => f + "Benchmarks").Order(), Families.Select(t => t.Name).Order());
        foreach (var t in Families)
        {
            var b = (KernelBenchmark)Activator.CreateInstance(t)!;
            var names = b.CaseNames.ToList();
            Assert.NotEmpty(names);
            Assert.Equal(names.Count, names.Distinct().Count());
            bool ort = b.BackendIds.Contains(KernelBackends.OnnxRuntime);
            Assert.Equal(OrtFamilies.Contains(t.Name[..^"Benchmarks".Length]), ort);
            foreach (string name in names)
            {
                b.Case = name;
                var work = b.WorkOf();
                Assert.True(work.Bytes > 0 && work.Flop >= 0, $"{t.Name} '{name}': work {work}");
            }
        }
    }

    [Fact]
    public void ElementwiseWorkIsCountedPerElement()
    {
        var b = new ElementwiseBenchmarks { Case = "add 256 @100x152" };
        Assert.Equal(new Work(256 * 100 * 152, 12.0 * 256 * 100 * 152), b.WorkOf());
        b.Case = "sigmoid 100 @200x304";
        Assert.Equal(8.0 * 100 * 200 * 304, b.WorkOf().Bytes);
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
    [InlineData(typeof(ElementwiseBenchmarks), "add 256 @100x152", "onnxruntime")]
    [InlineData(typeof(ElementwiseBenchmarks), "scale-relu-scale 4 @100x152", "cpu")]
    public void ACaseSetsUpRunsAndCleansUp(Type family, string name, string backend)
    {
        var b = (KernelBenchmark)Activator.CreateInstance(family)!;
        b.Case = name;
        b.Backend = backend;
        Assert.Contains("GlobalSetup has not run", Assert.Throws<InvalidOperationException>(b.Run).Message);
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
    public void AFamilyWithoutPeersRefusesOnnxRuntime()
    {
        var b = new DetectionBenchmarks { Case = "nms 1000 boxes", Backend = KernelBackends.OnnxRuntime };
        Assert.Contains("has no ONNX Runtime peer", Assert.Throws<NotSupportedException>(b.Setup).Message);
    }

    [Fact]
    public void ScalingRefusesUnknownSweeps()
    {
        var r = new ScalingCommand.ScalingRequest("r50-random", ["cpu"], 1, "/tmp/unused", [512], [1], [1], ["sizes"]);
        Assert.Contains("unknown sweep 'sizes'", Assert.Throws<ArgumentException>(() => ScalingCommand.Run(r, TextWriter.Null)).Message);
    }
}
