using System.CommandLine;
using CondInst.Kernels.Cli.Commands;

namespace CondInst.Kernels.Cli;

/// <summary>Entry point: one sub-command per file under Commands/.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the CLI with explicit writers (tests call this directly).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("CondInst.Kernels: CondInst instance segmentation in C# (no Python).")
        {
            DevicesCommand.Create(stdout),
            InspectCommand.Create(stdout),
            ConvertCommand.Create(stdout),
            InferCommand.Create(stdout, stderr),
            BenchCommand.Create(stdout),
            EvalCommand.Create(stdout, stderr),
        };
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
            {
                // One line naming every problem with the arguments, and the help hint.
                stderr.WriteLine($"error: {string.Join("; ", parsed.Errors.Select(e => e.Message))} (see --help)");
                return 2;
            }
            var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            return parsed.Invoke(config);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // One clear line, no stack trace: the message names the file, key or argument at fault.
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
