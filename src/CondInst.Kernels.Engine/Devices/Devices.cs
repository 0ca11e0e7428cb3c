using System.Runtime.CompilerServices;

namespace CondInst.Kernels;

/// <summary>
/// Finds compute devices and opens backends by name: <c>cpu</c> (native SIMD), <c>ilgpu-cpu</c> (ILGPU's CPU
/// simulator with GPU-sized groups), <c>cuda</c>, <c>opencl</c> (optionally with an index, <c>cuda:1</c>), and
/// <c>auto</c> (CUDA, else an accepted OpenCL GPU, else <c>cpu</c>).
/// ILGPU's assemblies are needed only for the ILGPU devices: an application that ships without them lists the
/// ILGPU kinds as refused ("ILGPU assemblies absent") and runs on <c>cpu</c>.
/// </summary>
public static class Devices
{
    /// <summary>Names accepted by <see cref="Open"/> (without indices).</summary>
    public static readonly IReadOnlyList<string> Names = ["auto", "cpu", "cuda", "opencl", "ilgpu-cpu"];

    /// <summary>Every device present, usable or refused (with the reason), the native CPU first.</summary>
    public static IReadOnlyList<DeviceInfo> List()
    {
        var list = new List<DeviceInfo> { CpuBackend.Describe() };
        list.AddRange(IlgpuDevices());
        return list;
    }

    /// <summary>
    /// Opens the backend named <paramref name="name"/>; a missing device gives an error naming what was found. With
    /// <paramref name="cpuThreads"/>, a <c>cpu</c> backend gets its own pool of that many threads (see
    /// <see cref="CpuBackend(int)"/>); without, it shares the process-wide pool.
    /// </summary>
    public static IBackend Open(string name, int? cpuThreads = null)
    {
        if (cpuThreads is < 1) throw new ArgumentOutOfRangeException(nameof(cpuThreads), $"CPU thread count must be at least 1, got {cpuThreads}");
        IBackend Cpu() => cpuThreads is { } n ? new CpuBackend(n) : new CpuBackend();
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        int index = 0;
        int colon = key.IndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(key[(colon + 1)..], out index) || index < 0)
                throw new ArgumentException($"device '{name}': the part after ':' must be a device index (e.g. cuda:0)");
            key = key[..colon];
        }
        switch (key)
        {
            case "cpu" or "auto" when colon >= 0 && index != 0:
                throw new ArgumentException($"device '{name}': there is one {key} device, {key}:0");
            case "cpu":
                return Cpu();
            case "auto":
                {
                    var ilgpu = IlgpuDevices();
                    var pick = ilgpu.FirstOrDefault(d => d.Kind == DeviceKind.Cuda && d.Usable)
                        ?? ilgpu.FirstOrDefault(d => d.Kind == DeviceKind.OpenCL && d.Usable && !d.Name.Contains("cpu", StringComparison.OrdinalIgnoreCase));
                    return pick is null ? Cpu() : OpenIlgpu(pick);
                }
            case "cuda" or "opencl" or "ilgpu-cpu":
                {
                    var kind = key switch { "cuda" => DeviceKind.Cuda, "opencl" => DeviceKind.OpenCL, _ => DeviceKind.IlgpuCpu };
                    var all = IlgpuDevices();
                    var ofKind = all.Where(d => d.Kind == kind).ToList();
                    var usable = ofKind.Where(d => d.Usable).ToList();
                    if (index < usable.Count) return OpenIlgpu(usable[index]);
                    string found = all.Count == 0 ? "no ILGPU devices" : string.Join("; ", all.Select(Describe));
                    throw new InvalidOperationException(
                        $"device '{name}' is not available: found {usable.Count} usable {key} device(s); present: {found}");
                }
            default:
                throw new ArgumentException($"unknown device '{name}': expected one of {string.Join(", ", Names)}");
        }
    }

    // Every use of IlgpuBackend sits in the two NoInlining methods below. The JIT resolves a method's types when it
    // compiles that method, so ILGPU.dll is loaded only when one of them first runs, never on the cpu path; a
    // missing assembly surfaces as FileNotFoundException at the call, which IlgpuDevices turns into refusals.
    private static IReadOnlyList<DeviceInfo> IlgpuDevices()
    {
        try
        {
            return EnumerateIlgpu();
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException)
        {
            // IlgpuBackend.CpuSimulatorId is a constant: the compiler copies its text, nothing is loaded.
            string why = $"ILGPU assemblies absent ({e.Message})";
            return
            [
                new DeviceInfo("ILGPU assemblies absent", DeviceKind.Cuda, "cuda", 0, 0, 0, why),
                new DeviceInfo("ILGPU assemblies absent", DeviceKind.OpenCL, "opencl", 0, 0, 0, why),
                new DeviceInfo("ILGPU assemblies absent", DeviceKind.IlgpuCpu, IlgpuBackend.CpuSimulatorId, 0, 0, 0, why),
            ];
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IReadOnlyList<DeviceInfo> EnumerateIlgpu() => IlgpuBackend.Enumerate();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IBackend OpenIlgpu(DeviceInfo device) => IlgpuBackend.Open(device);

    /// <summary>One line describing a device for listings and errors.</summary>
    public static string Describe(DeviceInfo d) =>
        $"{d.Id} ({d.Name}, {d.Kind}{(d.Usable ? "" : ", refused: " + d.RefusedBecause)})";
}
