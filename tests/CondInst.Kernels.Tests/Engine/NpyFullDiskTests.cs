namespace CondInst.Kernels.Tests.Engine;

/// <summary>
/// <see cref="NpyArray.Write(string)"/> on a disk that fills up part-way: the write fails with the disk's error and
/// leaves neither the file nor its <c>.tmp</c> behind. Once through a simulated disk (every platform) and once on a
/// real full tmpfs where one can be mounted.
/// </summary>
public sealed class NpyFullDiskTests
{
    // 1 MiB of floats: more than either disk below holds, so the write fails after part of it reached the disk.
    private static readonly NpyArray Big = NpyArray.FromFloats(Enumerable.Range(0, 1 << 18).Select(i => (float)i).ToArray(), 512, 512);

    [Fact]
    public void AWriteThatFillsASimulatedDiskLeavesNoFileAndNoTemporary()
    {
        string dir = Directory.CreateTempSubdirectory("condinst-npy").FullName;
        try
        {
            var disk = new FullDisk(300_000);
            NpyArray.CreateForWrite.Value = disk.Create;
            try
            {
                var e = Assert.Throws<IOException>(() => Big.Write(Path.Combine(dir, "big.npy")));
                Assert.Equal($"No space left on device : '{Path.Combine(dir, "big.npy.tmp")}'", e.Message);
            }
            finally
            {
                NpyArray.CreateForWrite.Value = null;
            }
            Assert.Empty(Directory.GetFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void AWriteThatFillsARealTmpfsLeavesNoFileAndNoTemporary()
    {
        using var fs = SmallTmpfs.TryMount(256 * 1024, out string why);
        if (fs is null) Assert.Skip($"{why}; the simulated-disk case above checks the same on every platform");
        string target = Path.Combine(fs.Path, "big.npy");
        var e = Assert.ThrowsAny<IOException>(() => Big.Write(target));
        Assert.Contains("No space left on device", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(fs.Path));
        // The disk is usable again: what the failed write had taken was given back.
        NpyArray.FromFloats([1f, 2f], 2).Write(target);
        Assert.Equal([1f, 2f], NpyArray.Read(target).ToFloats());
    }
}
