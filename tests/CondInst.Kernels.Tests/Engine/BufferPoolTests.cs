namespace CondInst.Kernels.Tests.Engine;

/// <summary>
/// The pool's plans and passes: a repeated pass is served from its plan's arena and allocates nothing, the arena is
/// the peak of live bytes, what none of the last <see cref="BufferPool{TBuffer}.PassWindow"/> passes needed is freed,
/// and live blocks never overlap whatever the passes do; counted with buffers that record their disposal.
/// </summary>
public sealed class BufferPoolTests
{
    private sealed class Buffer(long bytes, int id) : IDisposable
    {
        public long Bytes { get; } = bytes;

        public int Id { get; } = id;

        public bool Disposed { get; private set; }

        public void Dispose()
        {
            Assert.False(Disposed, $"buffer {Id} disposed twice");
            Disposed = true;
        }
    }

    private static (BufferPool<Buffer> Pool, List<Buffer> Made) Pool()
    {
        var made = new List<Buffer>();
        return (new BufferPool<Buffer>(bytes =>
        {
            var b = new Buffer(bytes, made.Count);
            made.Add(b);
            return b;
        }), made);
    }

    private const long MiB = 1 << 20;
    private const int Window = BufferPool<Buffer>.PassWindow;

    // One pass: rent the sizes (all alive at once), then return them all.
    private static void Pass(BufferPool<Buffer> pool, params long[] sizes)
    {
        var rented = sizes.Select(s => pool.Rent(s)).ToList();
        foreach (var b in rented) pool.Return(b);
        pool.EndPass();
    }

    [Fact]
    public void ARepeatedPassIsServedFromItsArenaAndAllocatesNothing()
    {
        var (pool, made) = Pool();
        Pass(pool, MiB, MiB, 5000, 300);
        // The first pass had buffers of its own; its end made the plan's arena and let them go.
        Assert.Equal(5, made.Count);
        Assert.Equal([true, true, true, true, false], made.Select(b => b.Disposed));
        long arena = BufferPool<Buffer>.ArenaSize(2 * MiB + 5120 + 512);
        Assert.Equal(arena, made[4].Bytes);
        for (int i = 0; i < 3; i++)
        {
            var blocks = new[] { MiB, MiB, 5000, 300 }.Select(s => pool.Rent(s)).ToList();
            Assert.All(blocks, b => Assert.Same(made[4], b.Buffer));
            Assert.Equal([0, MiB, 2 * MiB, 2 * MiB + 5120], blocks.Select(b => b.Offset).Order());
            foreach (var b in blocks) pool.Return(b);
            pool.EndPass();
        }
        Assert.Equal(5, made.Count);
        Assert.Equal(arena, pool.BytesFree);
        Assert.Equal(0, pool.BytesInUse);
    }

    [Fact]
    public void TheArenaIsThePeakOfLiveBytesNotTheSumOfSizes()
    {
        // A chain of layers: each output lives until the next layer has read it, sizes falling and rising. Buffers
        // pooled by size would keep one of each size (4+3+2+3+4 = 16 MiB); two live at a time need 7 MiB.
        var (pool, made) = Pool();
        for (int pass = 0; pass < 3; pass++)
        {
            var previous = pool.Rent(4 * MiB);
            foreach (long size in new[] { 3 * MiB, 2 * MiB, 3 * MiB, 4 * MiB })
            {
                var next = pool.Rent(size);
                pool.Return(previous);
                previous = next;
            }
            pool.Return(previous);
            pool.EndPass();
        }
        Assert.Equal(7 * MiB + 7 * MiB / 32, pool.BytesFree);
        Assert.Equal(7 * MiB + 7 * MiB / 32, made.Last().Bytes);
        Assert.Equal(3, made.Count); // the first pass's two (the smaller outputs reused the larger buffers), then the arena
    }

    [Fact]
    public void WhatTheLastPassesDidNotNeedIsFreed()
    {
        var (pool, made) = Pool();
        Pass(pool, 8 * MiB, 8 * MiB, MiB); // a large image
        for (int i = 1; i < Window; i++) Pass(pool, MiB); // then small ones: the large one is still in the window
        Assert.Equal(BufferPool<Buffer>.ArenaSize(17 * MiB), pool.BytesFree);
        Pass(pool, MiB); // now no pass of the window needed the large arena: it shrinks to the small plan's
        Assert.Equal(MiB + MiB / 32, pool.BytesFree);
        Assert.Equal(MiB + MiB / 32, made.Last().Bytes);
        Assert.Equal(1, made.Count(b => !b.Disposed));
        int count = made.Count;
        for (int i = 0; i < Window; i++) Pass(pool, MiB);
        Assert.Equal(count, made.Count);
        Assert.Equal(MiB + MiB / 32, pool.BytesFree);
    }

    [Fact]
    public void AlternatingSizesShareOneArena()
    {
        var (pool, made) = Pool();
        Pass(pool, 8 * MiB);
        Pass(pool, MiB);
        int count = made.Count; // the first passes' own buffers and the arena
        for (int i = 0; i < 3 * Window; i++) Pass(pool, i % 2 == 0 ? 8 * MiB : MiB);
        Assert.Equal(count, made.Count);
        Assert.Equal(8 * MiB + 8 * MiB / 32, pool.BytesFree);
    }

    [Fact]
    public void APassThatLeavesItsPlanPartwayKeepsWhatItsTailNeeded()
    {
        // Same start, another end (a same-sized image with another number of detections): the tail gets buffers of
        // its own, kept while passes of the window need them, so that the next such pass allocates nothing.
        var (pool, made) = Pool();
        Pass(pool, 4 * MiB, 4096);
        Pass(pool, 4 * MiB, 4096);
        int count = made.Count;
        Pass(pool, 4 * MiB, 8192);
        Assert.Equal(count + 1, made.Count);
        Pass(pool, 4 * MiB, 4096);
        Pass(pool, 4 * MiB, 8192, 4096);
        Assert.Equal(count + 2, made.Count);
        // The arena (made for 4 MiB + 4 KiB, 1/32 larger: room for the longer plans too) and the tail's two.
        Assert.Equal(BufferPool<Buffer>.ArenaSize(4 * MiB + 4096) + 8192 + 4096, pool.BytesFree);
    }

    [Fact]
    public void BuffersInUseAcrossTheEndOfAPassAreNotTouched()
    {
        var (pool, made) = Pool();
        var held = pool.Rent(MiB); // e.g. a tensor that outlives the passes
        Pass(pool, 2 * MiB);
        for (int i = 0; i < Window; i++) Pass(pool);
        Assert.False(held.Buffer.Disposed);
        Assert.True(made[1].Disposed);
        pool.Return(held);
        Assert.Equal(MiB, pool.BytesFree);
        Assert.Throws<InvalidOperationException>(() => pool.Return(held));
    }

    [Fact]
    public void ArenaBlocksHeldIntoTheNextPassAreNeverHandedOutAgain()
    {
        var (pool, _) = Pool();
        Pass(pool, MiB, MiB);
        var a = pool.Rent(MiB);
        var b = pool.Rent(MiB);
        pool.Return(a);
        pool.EndPass(); // b is held into the next pass
        var c = pool.Rent(MiB);
        var d = pool.Rent(MiB);
        Assert.False(Overlap(b, c) || Overlap(b, d) || Overlap(c, d));
        foreach (var x in new[] { b, c, d }) pool.Return(x);
        pool.EndPass();
    }

    [Fact]
    public void APassTooLongToRecordRunsOnItsOwnBuffersAndMakesNoPlan()
    {
        // A backend used without passes (benchmarks, a caller's own loop): the record stops at MaxPlanEvents, no
        // plan or arena is made, and the own buffer is reused throughout.
        var (pool, made) = Pool();
        for (int i = 0; i < BufferPool<Buffer>.MaxPlanEvents; i++) pool.Return(pool.Rent(4096));
        pool.EndPass();
        Assert.Single(made);
        Pass(pool, 4096); // the next pass is recorded and planned again
        Pass(pool, 4096);
        // Then the arena; the long pass's own buffer, reused by the second pass, is kept for the window.
        Assert.Equal(2, made.Count);
        Assert.Equal(BufferPool<Buffer>.ArenaSize(4096) + 4096, pool.BytesFree);
    }

    [Fact]
    public void APassEndedWhileARequestAllocatesLeavesThatRequestToTheEarlierPass()
    {
        // The mask stage's backend: one thread allocates (outside the pool's lock) while another ends the pass. The
        // allocator below ends the pass itself at that moment; the block must then count as held across the end.
        BufferPool<Buffer>? pool = null;
        bool endPassInside = false;
        int made = 0;
        pool = new BufferPool<Buffer>(bytes =>
        {
            if (endPassInside) pool!.EndPass();
            return new Buffer(bytes, made++);
        });
        Pass(pool, MiB); // a plan and its arena exist
        var early = pool.Rent(4096); // this pass's first request, as the plan expects
        pool.Return(early);
        endPassInside = true;
        var late = pool.Rent(3 * MiB); // no plan foresaw it: a new buffer, during whose allocation the pass ends
        endPassInside = false;
        pool.Return(late); // an earlier pass's block: returned without touching this pass's record
        Pass(pool, MiB);
        Pass(pool, MiB);
        Assert.Equal(0, pool.BytesInUse);
    }

    private static bool Overlap(PoolBlock<Buffer> x, PoolBlock<Buffer> y) =>
        ReferenceEquals(x.Buffer, y.Buffer) && x.Offset < y.Offset + y.Bytes && y.Offset < x.Offset + x.Bytes;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void LiveBlocksNeverOverlapWhateverThePassesDo(int seed)
    {
        // Passes drawn from a few programs (sequences of rent and return), sometimes changed partway, sometimes
        // holding a block into later passes: every block handed out must be as large as asked, inside its buffer,
        // clear of every other live block, and in a buffer not yet disposed.
        var random = new Random(seed);
        var (pool, made) = Pool();
        var programs = Enumerable.Range(0, 3).Select(_ => Program(random)).ToList();
        var live = new List<PoolBlock<Buffer>>();
        for (int pass = 0; pass < 200; pass++)
        {
            var program = programs[random.Next(programs.Count)];
            int changeAt = random.Next(4) == 0 ? random.Next(program.Count) : int.MaxValue;
            var mine = new Dictionary<int, PoolBlock<Buffer>>();
            for (int k = 0; k < program.Count; k++)
            {
                var (rent, size, of) = k < changeAt ? program[k] : (true, (long)random.Next(1, 3 << 20), -1);
                if (rent)
                {
                    var block = pool.Rent(size);
                    Assert.True(block.Bytes >= size && block.Offset + block.Bytes <= block.Buffer.Bytes && !block.Buffer.Disposed);
                    Assert.DoesNotContain(live, other => Overlap(block, other));
                    live.Add(block);
                    mine[k] = block;
                }
                else if (mine.Remove(of, out var block) && random.Next(20) != 0)
                {
                    pool.Return(block);
                    live.Remove(block);
                }
            }
            if (random.Next(8) == 0 && live.Count > 0)
            {
                var old = live[random.Next(live.Count)]; // a block held since an earlier pass goes back now
                pool.Return(old);
                live.Remove(old);
            }
            pool.EndPass();
        }
        foreach (var block in live) pool.Return(block);
        pool.Dispose();
        Assert.All(made, b => Assert.True(b.Disposed));
    }

    // A random program: rents of random sizes, each returned at a random later step.
    private static List<(bool Rent, long Size, int Of)> Program(Random random)
    {
        var steps = new List<(bool, long, int)>();
        var open = new List<int>();
        for (int i = 0; i < 30; i++)
        {
            if (open.Count > 0 && random.Next(2) == 0)
            {
                int pick = random.Next(open.Count);
                steps.Add((false, 0, open[pick]));
                open.RemoveAt(pick);
            }
            else
            {
                open.Add(steps.Count);
                steps.Add((true, random.Next(8) == 0 ? random.Next(2) * 100 : random.Next(1, 4 << 20), -1)); // 0 and 100 bytes too
            }
        }
        foreach (int k in open) steps.Add((false, 0, k));
        return steps;
    }
}
