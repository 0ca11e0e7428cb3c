using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CondInst.Kernels.Cli.Progress;

/// <summary>Progress on a terminal: Spectre.Console's live bar on stderr with the count, images/s and the ETA.</summary>
internal sealed class LiveProgress(IAnsiConsole console, ProgressTask task) : ImageProgress
{
    public static T Run<T>(int images, Func<ImageProgress, T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new CountColumn(),
                new RateColumn(), new RemainingTimeColumn())
            .Start(context => work(new LiveProgress(console, context.AddTask("starting", maxValue: images))));
    }

    public override void Report(int done, int total, string current)
    {
        task.Value = done;
        task.Description = Markup.Escape(done == total ? "done" : current);
    }

    // Spectre draws lines written during a live display above the bar.
    public override void Line(string text) => console.WriteLine(text);

    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.Value:0}/{task.MaxValue:0}");
    }

    private sealed class RateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) + " images/s" : "");
    }
}
