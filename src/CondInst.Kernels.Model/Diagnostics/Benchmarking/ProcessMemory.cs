using System.Diagnostics;

namespace CondInst.Kernels.Model.Benchmarking;

/// <summary>The process's peak resident memory, resettable on Linux so that it can cover just the timed runs.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak working set (VmHWM on Linux) in bytes.</summary>
    public static long PeakWorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.PeakWorkingSet64;
    }

    /// <summary>Resets the peak to the current resident size (Linux clear_refs 5); false where that is not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return false;
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
