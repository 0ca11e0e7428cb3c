namespace CondInst.Kernels.Tests.Engine;

/// <summary>
/// The pool's passes: what none of the last <see cref="BufferPool{TBuffer}.PassWindow"/> passes needed is freed, what
/// they needed is kept, and a repeated pass allocates nothing; counted with buffers that record their disposal.
/// </summary>
public sealed class BufferPoolTests
{
    private sealed class Buffer(long bytes) : IDisposable
    {
        public long Bytes { get; } = bytes;

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private static (BufferPool<Buffer> Pool, List<Buffer> Made) Pool()
    {
        var made = new List<Buffer>();
        return (new BufferPool<Buffer>(bytes =>
        {
            var b = new Buffer(bytes);
            made.Add(b);
            return b;
        }), made);
    }

    // One pass: rent the sizes (all alive at once), then return them all.
    private static void Pass(BufferPool<Buffer> pool, params long[] sizes)
    {
        var rented = sizes.Select(s => pool.Rent(s)).ToList();
        foreach (var b in rented) pool.Return(b, b.Bytes);
        pool.EndPass();
    }

    [Fact]
    public void ARepeatedPassAllocatesAndFreesNothing()
    {
        var (pool, made) = Pool();
        Pass(pool, 1 << 20, 1 << 20, 5000, 300);
        Assert.Equal(4, made.Count);
        for (int i = 0; i < 3; i++) Pass(pool, 1 << 20, 1 << 20, 5000, 300);
        Assert.Equal(4, made.Count);
        Assert.DoesNotContain(made, b => b.Disposed);
        Assert.Equal(made.Sum(b => b.Bytes), pool.BytesFree);
    }

    private const int Window = BufferPool<Buffer>.PassWindow;

    [Fact]
    public void WhatTheLastPassesDidNotNeedIsFreed()
    {
        var (pool, made) = Pool();
        Pass(pool, 8 << 20, 8 << 20, 1 << 20); // a large image
        for (int i = 1; i < Window; i++) Pass(pool, 1 << 20); // then small ones: the large one is still in the window
        Assert.DoesNotContain(made, b => b.Disposed);
        Pass(pool, 1 << 20); // now no pass of the window needed the 8 MiB buffers
        Assert.Equal(3, made.Count);
        Assert.Equal([true, true, false], made.Select(b => b.Disposed));
        Assert.Equal(1 << 20, pool.BytesFree);
        for (int i = 0; i < Window; i++) Pass(pool, 1 << 20);
        Assert.Equal(3, made.Count);
        Assert.Equal(1 << 20, pool.BytesFree);
    }

    [Fact]
    public void AlternatingSizesKeepTheirBuffers()
    {
        var (pool, made) = Pool();
        for (int i = 0; i < 3 * Window; i++) Pass(pool, i % 2 == 0 ? 8 << 20 : 1 << 20);
        Assert.Equal(2, made.Count);
        Assert.DoesNotContain(made, b => b.Disposed);
    }

    [Fact]
    public void OnlyTheSurplusOfAClassIsFreed()
    {
        var (pool, made) = Pool();
        Pass(pool, 4096, 4096, 4096);
        for (int i = 0; i < Window; i++) Pass(pool, 4096, 4096); // one of three not needed
        Assert.Equal(1, made.Count(b => b.Disposed));
        Assert.Equal(2 * 4096, pool.BytesFree);
        Pass(pool, 4096, 4096, 4096); // needs a third again: one new allocation
        Assert.Equal(4, made.Count);
        Assert.Equal(3 * 4096, pool.BytesFree);
    }

    [Fact]
    public void BuffersInUseAcrossTheEndOfAPassAreNotTouched()
    {
        var (pool, made) = Pool();
        var held = pool.Rent(1 << 20); // e.g. a tensor that outlives the passes
        Pass(pool, 2 << 20);
        for (int i = 0; i < Window; i++) Pass(pool);
        Assert.False(held.Disposed);
        Assert.True(made[1].Disposed);
        pool.Return(held, held.Bytes);
        Assert.Equal(1 << 20, pool.BytesFree);
    }
}
