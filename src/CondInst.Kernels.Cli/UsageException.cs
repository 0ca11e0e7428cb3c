namespace CondInst.Kernels.Cli;

/// <summary>An argument error found while a command runs (after parsing): exit code <see cref="ExitCodes.BadArguments"/>.</summary>
public sealed class UsageException(string message) : Exception(message);
