using System.CommandLine;

namespace CondInst.Kernels.Benchmarks.Scaling;

public static class ScalingCommand
{
    public static Command Create(TextWriter stdout) => new("scaling", "todo");
}
