using System.CommandLine;
using System.Globalization;
using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Cli.Commands;

/// <summary><c>convert IN OUT</c>: a .pth (or safetensors) checkpoint to safetensors, bit for bit, settings and meta in <c>__metadata__</c>.</summary>
public static class ConvertCommand
{
    public static Command Create(TextWriter stdout)
    {
        var input = new Argument<string>("in") { Description = "Checkpoint to read: .pth (zip or legacy) or .safetensors." };
        var output = new Argument<string>("out") { Description = "safetensors file to write (replaced whole; never left partial)." };
        var command = new Command("convert", "Convert a checkpoint to safetensors; test settings and meta go into __metadata__.") { input, output };
        var limits = new LimitOptions(command, images: false);
        command.SetAction(parse =>
        {
            string from = parse.GetValue(input)!, to = parse.GetValue(output)!;
            if (string.Equals(Path.GetFullPath(from), Path.GetFullPath(to), StringComparison.Ordinal))
                throw new ImporterException($"{to}: output is the input file; choose another path");
            using var ckpt = Checkpoint.Load(from, limits.Importer(parse));
            ckpt.SaveSafetensors(to);
            long bytes = new FileInfo(to).Length;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {to}: {ckpt.Tensors.Count} tensors, {bytes:N0} bytes (from {ckpt.Format} {from}); settings: {ckpt.Settings.Describe()} [{ckpt.Settings.Source}]"));
            return 0;
        });
        return command;
    }
}
