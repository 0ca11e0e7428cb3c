using System.CommandLine;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Cli.Commands;

/// <summary>
/// The <c>--max-*</c> options that raise (or lower) the resource limits; the defaults and their reasons live in
/// <see cref="ImporterLimits"/> and <see cref="ImageLimits"/>, which the refusals name together with these options.
/// </summary>
internal sealed class LimitOptions
{
    private readonly Option<long?> _imagePixels = Positive<long>("--max-image-pixels", "Most pixels an image may have (default 178956970, as Pillow)");
    private readonly Option<int?> _testScale = Positive<int>("--max-test-scale", "Largest test-scale side accepted from a checkpoint's config, sidecar or metadata (default 4096)");
    private readonly Option<double?> _tensorRatio = Positive<double>("--max-tensor-ratio", "Most tensor bytes per byte of checkpoint file, plus 64 MiB (default 4)");
    private readonly Option<int?> _configChars = Positive<int>("--max-config-chars", "Longest config text in a checkpoint's meta, in characters (default 4194304)");
    private readonly Option<long?> _configSteps = Positive<long>("--max-config-steps", "Most evaluation steps for a checkpoint's config text (default 1000000)");

    /// <summary>Adds the importer's options (and, with <paramref name="images"/>, the image loader's) to <paramref name="command"/>.</summary>
    public LimitOptions(Command command, bool images)
    {
        if (images) command.Options.Add(_imagePixels);
        command.Options.Add(_testScale);
        command.Options.Add(_tensorRatio);
        command.Options.Add(_configChars);
        command.Options.Add(_configSteps);
    }

    public ImporterLimits Importer(ParseResult r)
    {
        var d = ImporterLimits.Default;
        return d with
        {
            MaxTestScale = r.GetValue(_testScale) ?? d.MaxTestScale,
            MaxTensorBytesPerFileByte = r.GetValue(_tensorRatio) ?? d.MaxTensorBytesPerFileByte,
            MaxConfigTextChars = r.GetValue(_configChars) ?? d.MaxConfigTextChars,
            MaxConfigSteps = r.GetValue(_configSteps) ?? d.MaxConfigSteps,
        };
    }

    public ImageLimits Image(ParseResult r) => ImageLimits.Default with { MaxImagePixels = r.GetValue(_imagePixels) ?? ImageLimits.Default.MaxImagePixels };

    private static Option<T?> Positive<T>(string name, string description) where T : struct, IComparable<T>
    {
        var option = new Option<T?>(name) { Description = description };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<T?>() is { } v && !(v.CompareTo(default) > 0))
                r.AddError($"{name} must be a positive number, got {v}");
        });
        return option;
    }
}
