using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace CondInst.Kernels;

// Device discovery and opening.
public sealed partial class IlgpuBackend
{
    /// <summary>Id of ILGPU's CPU simulator.</summary>
    public const string CpuSimulatorId = "ilgpu-cpu";

    private static readonly Lazy<IReadOnlyList<DeviceInfo>> Discovered = new(Discover);

    /// <summary>Every ILGPU device present, usable or refused (with the reason). Discovered once per process.</summary>
    public static IReadOnlyList<DeviceInfo> Enumerate() => Discovered.Value;

    /// <summary>Opens a backend on <paramref name="device"/> (an entry of <see cref="Enumerate"/>).</summary>
    public static IBackend Open(DeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!device.Usable)
            throw new InvalidOperationException($"device {Devices.Describe(device)} cannot be used");
        return device.Kind switch
        {
            DeviceKind.IlgpuCpu => OpenCpu(CPUDeviceKind.Nvidia, device),
            DeviceKind.Cuda => OpenGpu(device, b => b.Cuda(), ctx => Listed(ctx.GetCudaDevices())),
            DeviceKind.OpenCL => OpenGpu(device, b => b.OpenCL(), ctx => Listed(ctx.GetCLDevices())),
            _ => throw new ArgumentException($"device {device.Id} is not an ILGPU device"),
        };
    }

    /// <summary>
    /// A backend on ILGPU's CPU accelerator of the given kind. <see cref="CPUDeviceKind.Nvidia"/> (warp 32, up to
    /// 1024 threads per group) is the <c>ilgpu-cpu</c> device; <see cref="CPUDeviceKind.Default"/> allows only
    /// 16 threads per group and lets tests check that kernels adapt to small groups.
    /// </summary>
    internal static IlgpuBackend OpenCpu(CPUDeviceKind kind, DeviceInfo? info = null)
    {
        var context = Context.Create(b => ConfigureContext(b.CPU(kind)));
        try
        {
            var accelerator = context.GetCPUDevice(0).CreateAccelerator(context);
            info ??= new DeviceInfo($"ILGPU CPU simulator ({kind})", DeviceKind.IlgpuCpu, $"{CpuSimulatorId}-{kind.ToString().ToLowerInvariant()}",
                HostMemory(), accelerator.WarpSize, accelerator.MaxNumThreadsPerGroup);
            return new IlgpuBackend(context, accelerator, info);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static IlgpuBackend OpenGpu(DeviceInfo info, Action<Context.Builder> enable, Func<Context, IReadOnlyList<Device>> list)
    {
        int index = IndexInId(info.Id);
        var context = Context.Create(b =>
        {
            enable(b);
            ConfigureContext(b);
        });
        try
        {
            var devices = list(context);
            if (index >= devices.Count)
                throw new InvalidOperationException($"device {info.Id} is no longer present ({devices.Count} found)");
            return new IlgpuBackend(context, devices[index].CreateAccelerator(context), info);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Compiler settings of every context the backend makes: O2 (address-space inference gives ld.global/ld.shared
    /// instead of generic loads) and ILGPU.Algorithms, which supplies GPU implementations of the MathF functions that
    /// kernels keep for the CPU simulator only (see KernelMath.Exp).
    /// </summary>
    internal static Context.Builder ConfigureContext(Context.Builder builder) =>
        builder.Optimize(OptimizationLevel.O2).EnableAlgorithms();

    // ILGPU's device collections are enumerable with foreach only.
    private static List<TDevice> Listed<TDevice>(Context.DeviceCollection<TDevice> devices) where TDevice : Device
    {
        var list = new List<TDevice>();
        foreach (var d in devices) list.Add(d);
        return list;
    }

    private static int IndexInId(string id) => int.Parse(id[(id.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static long HostMemory() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    private static IReadOnlyList<DeviceInfo> Discover()
    {
        var list = new List<DeviceInfo>
        {
            new("ILGPU CPU simulator (NVIDIA-like: warp 32, up to 1024 threads per group; for testing kernels, not speed)",
                DeviceKind.IlgpuCpu, CpuSimulatorId, HostMemory(), 32, 1024),
        };
        list.AddRange(Guarded("CUDA", "cuda", DeviceKind.Cuda, DiscoverCuda));
        list.AddRange(Guarded("OpenCL", "opencl", DeviceKind.OpenCL, DiscoverOpenCL));
        return list;
    }

    // A missing driver library means no devices of that kind; any other failure while asking the driver is
    // listed as a refused entry carrying the error, so that discovery never throws.
    internal static List<DeviceInfo> Guarded(string api, string prefix, DeviceKind kind, Func<List<DeviceInfo>> discover)
    {
        try
        {
            return discover();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException
            || e is TypeInitializationException { InnerException: DllNotFoundException or EntryPointNotFoundException })
        {
            return [];
        }
#pragma warning disable CA1031 // discovery must not throw: the failure becomes the refusal reason
        catch (Exception e)
#pragma warning restore CA1031
        {
            return [new DeviceInfo($"{api} driver", kind, $"{prefix}(refused):driver", 0, 0, 0,
                $"{api} device discovery failed: {e.GetType().Name}: {e.Message}")];
        }
    }

    // Every CUDA device; those ILGPU's default filter drops are listed as refused.
    private static List<DeviceInfo> DiscoverCuda()
    {
        var found = new List<DeviceInfo>();
        using var all = Context.Create(b => b.Cuda(_ => true));
        using var accepted = Context.Create(b => b.Cuda());
        var ok = Listed(accepted.GetCudaDevices()).Select(d => d.DeviceId).ToHashSet();
        int usable = 0, refused = 0;
        foreach (var d in Listed(all.GetCudaDevices()))
        {
            string? reason = ok.Contains(d.DeviceId) ? null
                : d.Architecture is null ? "its CUDA architecture is not supported by ILGPU 1.5.3"
                : "ILGPU 1.5.3 does not accept it";
            string id = reason is null ? $"cuda:{usable++}" : $"cuda(refused):{refused++}";
            found.Add(new DeviceInfo(d.Name, DeviceKind.Cuda, id, d.MemorySize, d.WarpSize, d.MaxNumThreadsPerGroup, reason));
        }
        return found;
    }

    // Every OpenCL device, including those ILGPU refuses (it needs OpenCL C 2.0+ with the generic address space).
    // ILGPU finds OpenCL only through the unversioned libOpenCL.so.
    private static List<DeviceInfo> DiscoverOpenCL()
    {
        var found = new List<DeviceInfo>();
        using var all = Context.Create(b => b.OpenCL(_ => true));
        using var accepted = Context.Create(b => b.OpenCL());
        var ok = Listed(accepted.GetCLDevices()).Select(d => d.DeviceId).ToHashSet();
        int usable = 0, refused = 0;
        foreach (var d in Listed(all.GetCLDevices()))
        {
            string? reason = ok.Contains(d.DeviceId) ? null : RefusalReason(d);
            string id = reason is null ? $"opencl:{usable++}" : $"opencl(refused):{refused++}";
            string name = $"{d.Name} ({d.PlatformName}, {d.DeviceVersion})";
            found.Add(new DeviceInfo(name, DeviceKind.OpenCL, id, d.MemorySize, d.WarpSize, d.MaxNumThreadsPerGroup, reason));
        }
        return found;
    }

    private static string RefusalReason(CLDevice d)
    {
        var why = new List<string>();
        if (!d.Capabilities.GenericAddressSpace) why.Add("no OpenCL generic address space support");
        if (d.CVersion.Major < 2) why.Add($"OpenCL C {d.CVersion} (2.0 or later needed)");
        return "ILGPU 1.5.3 refuses it: " + (why.Count == 0 ? "unsupported device" : string.Join("; ", why));
    }
}
