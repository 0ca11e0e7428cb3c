namespace CondInst.Kernels.Cli.Progress;

/// <summary>
/// Progress of a command over many images, shown as the output allows: a live bar (count, images/s, ETA) when
/// stderr is a terminal, a plain line every few seconds when it is redirected, nothing with --quiet or for one image.
/// Messages (skipped files, warnings) go through <see cref="Line"/>, so they never land on the end of a bar.
/// </summary>
internal abstract class ImageProgress
{
    /// <summary>Time between two plain progress lines.</summary>
    public static readonly TimeSpan LinePeriod = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="work"/> with the progress display that suits <paramref name="stderr"/>.</summary>
    public static T Run<T>(TextWriter stderr, bool quiet, int images, Func<ImageProgress, T> work)
    {
        if (quiet || images <= 1) return work(new SilentProgress(stderr));
        // Only the process's own stderr, on a terminal, gets the live bar; tests pass their own writers.
        if (ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected) return LiveProgress.Run(images, work);
        return work(new LineProgress(stderr, LinePeriod));
    }

    /// <summary><paramref name="done"/> of <paramref name="total"/> images finished; <paramref name="current"/> is next.</summary>
    public abstract void Report(int done, int total, string current);

    /// <summary>Writes one message line.</summary>
    public abstract void Line(string text);

    /// <summary>m:ss, or h:mm:ss from an hour on.</summary>
    public static string Clock(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes}:{t.Seconds:00}";

    private sealed class SilentProgress(TextWriter stderr) : ImageProgress
    {
        public override void Report(int done, int total, string current) { }

        public override void Line(string text) => stderr.WriteLine(text);
    }
}
