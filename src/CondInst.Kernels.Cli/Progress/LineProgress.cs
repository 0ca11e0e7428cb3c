using System.Diagnostics;
using System.Globalization;

namespace CondInst.Kernels.Cli.Progress;

/// <summary>
/// Progress for redirected output: whole lines only ("progress: 12/40 images, 1.8 images/s, ETA 0:15"), at most one
/// per period, and always one at the end. The clock starts at the first image, so loading the model is not counted.
/// </summary>
internal sealed class LineProgress(TextWriter writer, TimeSpan period) : ImageProgress
{
    private Stopwatch? _clock;
    private TimeSpan _lastLine;

    public override void Report(int done, int total, string current)
    {
        _clock ??= Stopwatch.StartNew();
        var elapsed = _clock.Elapsed;
        double rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        string perSecond = rate.ToString("0.0", CultureInfo.InvariantCulture);
        if (done == total)
        {
            writer.WriteLine($"progress: {done}/{total} images in {Clock(elapsed)}, {perSecond} images/s");
        }
        else if (done > 0 && elapsed - _lastLine >= period)
        {
            string eta = rate > 0 ? Clock(TimeSpan.FromSeconds((total - done) / rate)) : "?";
            writer.WriteLine($"progress: {done}/{total} images, {perSecond} images/s, ETA {eta}");
            _lastLine = elapsed;
        }
        else
        {
            return;
        }
        writer.Flush();
    }

    public override void Line(string text) => writer.WriteLine(text);
}
