using System.CommandLine;
using BenchmarkDotNet.Running;
using CondInst.Kernels.Benchmarks.Coco;
using CondInst.Kernels.Benchmarks.Kernels;
using CondInst.Kernels.Benchmarks.Onnx;
using CondInst.Kernels.Benchmarks.Scaling;
using CondInst.Kernels.Benchmarks.Winograd;
using CondInst.Kernels.Cli.Commands;
using CondInst.Kernels.Model.Benchmarking;

namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// The benchmarks executable. <c>bench …</c> is the CLI's bench command with the ONNX Runtime body registered as
/// device <c>onnxruntime</c>; <c>scaling …</c> measures growth with image size, instances and batch; <c>coco-eval …</c>
/// times the COCO evaluation on a synthetic val2017-sized set; <c>winograd …</c> the error and relative speed of the
/// 3x3 algorithms layer; <c>stem …</c> the 7x7/2 stem's two GEMM paths against ONNX Runtime; <c>strided …</c> the same for the 3x3/2 convolutions; <c>convtable …</c> every R-50 convolution shape against ONNX Runtime; anything else goes to BenchmarkDotNet's switcher (kernel benchmarks):
/// <c>dotnet run -c Release --project benchmarks/CondInst.Kernels.Benchmarks -- --filter '*' --job short</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && Root(TextWriter.Null).Subcommands.Any(c => c.Name == args[0])) return RunCommands(args, Console.Out, Console.Error);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, KernelConfig.Create());
        return 0;
    }

    /// <summary>The devices this executable adds to <c>bench</c>.</summary>
    public static IReadOnlyList<BenchPeer> Peers { get; } = [OrtPeer.Create(Environment.ProcessorCount)];

    /// <summary>Runs <c>bench</c> or <c>scaling</c> with explicit writers; errors become one line on stderr.</summary>
    public static int RunCommands(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Root(stdout);
        try
        {
            var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            return root.Parse(args).Invoke(config);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static RootCommand Root(TextWriter stdout) =>
        new("CondInst.Kernels benchmarks: bench (with the onnxruntime peer) and scaling.")
        {
            BenchCommand.Create(stdout, Peers),
            ScalingCommand.Create(stdout),
            Serving.LoadCommand.Create(stdout),
            CocoEvalTimingCommand.Create(stdout),
            WinogradCommand.Create(stdout),
            Stem.StemCommand.Create(stdout),
            Stem.StridedCommand.Create(stdout),
            ConvTableCommand.Create(stdout),
            Soak.SoakCommand.Create(stdout),
        };
}
