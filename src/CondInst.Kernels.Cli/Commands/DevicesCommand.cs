using System.CommandLine;

namespace CondInst.Kernels.Cli.Commands;

/// <summary><c>devices</c>: lists compute devices, usable and refused.</summary>
public static class DevicesCommand
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("devices", "List compute devices (name, kind, memory, warp size, max group size) and why any are refused.");
        command.SetAction(_ =>
        {
            stdout.WriteLine($"{"id",-12} {"kind",-9} {"memory",10} {"warp",5} {"group",6}  name");
            foreach (var d in Devices.List())
            {
                stdout.WriteLine($"{d.Id,-12} {d.Kind,-9} {d.MemoryBytes / (1024.0 * 1024 * 1024),8:F1}Gi {d.WarpSize,5} {d.MaxGroupSize,6}  {d.Name}");
                if (!d.Usable) stdout.WriteLine($"{"",12} refused: {d.RefusedBecause}");
            }
            return 0;
        });
        return command;
    }
}
