namespace CondInst.Kernels;

/// <summary>
/// Per-thread working memory of the CPU kernels (packed input panels, tile buffers), 64-byte aligned and kept for
/// the thread's lifetime, so hot paths allocate nothing after the first call of a given size.
/// </summary>
internal static unsafe class CpuScratch
{
    [ThreadStatic]
    private static HostBuffer? t_floats;

    [ThreadStatic]
    private static HostBuffer? t_ints;

    /// <summary>At least <paramref name="count"/> floats of this thread's float scratch (contents undefined).</summary>
    public static float* Floats(long count)
    {
        var b = t_floats;
        if (b is null || b.ByteLength < count * sizeof(float))
            t_floats = b = new HostBuffer(Math.Max(count, 1) * sizeof(float));
        return (float*)b.Pointer;
    }

    /// <summary>At least <paramref name="count"/> ints of this thread's int scratch (contents undefined).</summary>
    public static int* Ints(long count)
    {
        var b = t_ints;
        if (b is null || b.ByteLength < count * sizeof(int))
            t_ints = b = new HostBuffer(Math.Max(count, 1) * sizeof(int));
        return (int*)b.Pointer;
    }
}
