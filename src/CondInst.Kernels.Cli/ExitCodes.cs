namespace CondInst.Kernels.Cli;

/// <summary>The exit codes of every command, the one place they are defined (the README's table lists them).</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Ok = 0;

    /// <summary>The command could not do its work: an unreadable checkpoint, a missing device, an unwritable output,
    /// or (with --fail-fast) an image that could not be loaded. One line on stderr says what.</summary>
    public const int Failed = 1;

    /// <summary>The arguments were wrong (unknown option, missing value, out-of-range number, unknown class name,
    /// folder that does not exist); nothing was run.</summary>
    public const int BadArguments = 2;

    /// <summary>Some images could not be loaded and were skipped (each named on stderr); the results of all the
    /// others were written.</summary>
    public const int FilesSkipped = 3;

    /// <summary>No image was processed: the folder holds no image files, or none of them could be loaded.</summary>
    public const int NothingProcessed = 4;
}
