namespace CondInst.Kernels.Cli;

/// <summary>A one-line text progress bar redrawn in place on a writer (stderr).</summary>
internal sealed class ProgressBar(TextWriter writer)
{
    private const int Width = 30;

    public void Report(int done, int total, string current)
    {
        int filled = total == 0 ? Width : done * Width / total;
        writer.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {done}/{total} {current,-40}");
        if (done == total) writer.WriteLine();
        writer.Flush();
    }
}
