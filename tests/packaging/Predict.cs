// What a user's application does with the CondInst.Kernels package: list devices, load a checkpoint on the CPU,
// predict one image, print the detections. Arguments: <weights.pth> <image>. Prints one line per device, then
// one line per instance ("class score x1 y1 x2 y2"); exits 1 when nothing is detected.
using CondInst.Kernels;
using CondInst.Kernels.Model;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: <weights.pth> <image>");
    return 2;
}
Console.WriteLine($"runtime {Environment.Version}");
foreach (var d in Devices.List())
    Console.WriteLine($"device {Devices.Describe(d)}");
using var model = CondInstModel.Load(args[0], "cpu");
var result = model.Predict(args[1]);
foreach (var i in result.Instances)
    Console.WriteLine($"instance {i.ClassName} {i.Score:F3} {i.X1:F1} {i.Y1:F1} {i.X2:F1} {i.Y2:F1}");
return result.Instances.Count > 0 ? 0 : 1;
