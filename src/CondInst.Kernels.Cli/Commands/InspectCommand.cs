using System.CommandLine;
using System.Globalization;
using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Cli.Commands;

/// <summary><c>inspect FILE [--keys]</c>: what a checkpoint holds (format, tensors, dtypes, bytes, meta, test settings).</summary>
public static class InspectCommand
{
    public static Command Create(TextWriter stdout)
    {
        var file = new Argument<string>("file") { Description = "Checkpoint: .pth (zip or legacy) or .safetensors, recognised by content." };
        var keys = new Option<bool>("--keys") { Description = "Also list every key with its dtype and shape." };
        var command = new Command("inspect", "Show a checkpoint's format, tensors, dtypes, size, metadata and test settings.") { file, keys };
        var limits = new LimitOptions(command, images: false);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            using var ckpt = Checkpoint.Load(path, limits.Importer(parse));
            Print(stdout, ckpt, parse.GetValue(keys));
            return 0;
        });
        return command;
    }

    internal static void Print(TextWriter o, Checkpoint ckpt, bool keys)
    {
        var tensors = ckpt.Tensors.Values.ToList();
        long elements = tensors.Sum(t => t.ElementCount);
        // "Parameters" as docs/INFERENCE.md#sizes counts them: nn.Parameter elements, i.e. without BN running stats and counters.
        long parameters = tensors.Where(t => !IsBuffer(t.Name)).Sum(t => t.ElementCount);
        long bytes = tensors.Sum(t => (long)t.Data.Length);
        o.WriteLine($"file      {Printable(ckpt.Path)}");
        o.WriteLine($"format    {FormatName(ckpt.Format)}");
        o.WriteLine($"tensors   {tensors.Count}");
        o.WriteLine(Invariant($"elements  {elements:N0} (parameters {parameters:N0}, without BN running stats and num_batches_tracked)"));
        o.WriteLine($"dtypes    {string.Join(", ", tensors.GroupBy(t => t.DType).OrderByDescending(g => g.Count()).Select(g => $"{g.Key.TorchName()} x {g.Count()}"))}");
        o.WriteLine(Invariant($"bytes     {bytes:N0} of tensor data ({bytes / (1024.0 * 1024.0):F1} MiB), file {new FileInfo(ckpt.Path).Length:N0}"));
        string? declared = CheckpointHash.DeclaredPrefix(ckpt.Path);
        if (declared is not null)
        {
            string actual = CheckpointHash.Sha256Prefix(ckpt.Path, declared.Length);
            o.WriteLine($"sha256    {actual} ({(actual == declared ? "matches the file name" : $"the file name declares {declared}: MISMATCH")})");
        }
        o.WriteLine($"settings  {ckpt.Settings.Describe()}");
        o.WriteLine($"source    {Printable(ckpt.Settings.Source)}");
        o.WriteLine(ckpt.Meta.Count == 0 ? "meta      (none)" : "meta");
        foreach (var (k, v) in ckpt.Meta) Meta(o, k, v, 1);
        if (!keys) return;
        o.WriteLine("keys");
        int width = tensors.Count == 0 ? 0 : tensors.Max(t => t.Name.Length);
        foreach (var t in tensors) o.WriteLine($"  {Printable(t.Name).PadRight(width)}  {t.DType.TorchName(),-8}  {CheckpointTensor.FormatShape(t.Shape)}");
    }

    private static bool IsBuffer(string name) =>
        name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal)
        || name.EndsWith("num_batches_tracked", StringComparison.Ordinal);

    private static string FormatName(CheckpointFormat f) => f switch
    {
        CheckpointFormat.PthZip => "pth (zip, torch.save default)",
        CheckpointFormat.PthLegacy => "pth (legacy, _use_new_zipfile_serialization=False)",
        _ => "safetensors",
    };

    // One line per value; dictionaries open up to two levels, long texts and lists are summarised.
    private static void Meta(TextWriter o, string key, object? value, int depth)
    {
        string indent = new(' ', 2 * depth);
        if (value is IReadOnlyDictionary<string, object?> dict && depth <= 2)
        {
            o.WriteLine($"{indent}{Printable(key)}");
            foreach (var (k, v) in dict) Meta(o, k, v, depth + 1);
            return;
        }
        o.WriteLine($"{indent}{Printable(key),-18} {Printable(Summary(value))}");
    }

    private static string Summary(object? value) => value switch
    {
        null => "None",
        string s when s.Contains('\n') || s.Length > 80 => $"{s.Length} chars of text, first line: {Clip(s.Split('\n')[0], 60)}",
        string s => s,
        bool b => b ? "True" : "False",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, object?> d => $"{{{d.Count} keys: {Clip(string.Join(", ", d.Keys), 60)}}}",
        List<object?> l when l.All(x => x is string or long or double or bool or null) =>
            $"{l.Count} items: {Clip(string.Join(", ", l.Select(Summary)), 100)}",
        List<object?> l => $"{l.Count} items",
        _ => value.ToString() ?? "?",
    };

    // A checkpoint's strings reach the terminal: control characters (ESC starts ANSI sequences that recolour, move
    // the cursor or retitle the window; CR overwrites the line) are shown as \xNN / \uNNNN escapes instead.
    internal static string Printable(string s)
    {
        if (!s.Any(IsControl)) return s;
        var sb = new System.Text.StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            if (!IsControl(c)) sb.Append(c);
            else if (c <= 0xFF) sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return sb.ToString();
    }

    private static bool IsControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u202e' or '\u202d' or '\u2066' or '\u2067' or '\u2068' or '\u2069';

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max] + "...";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
