using System.Diagnostics;

namespace CondInst.Kernels.Tests.Engine;

/// <summary>
/// A disk that fills up: every stream made by <see cref="Create"/> writes to a real file until the bytes shared by all
/// of them are used up, writes what still fits, then throws the IOException a full disk gives. Installed through
/// <see cref="NpyArray.CreateForWrite"/>, it fails .npy writes part-way on any operating system.
/// </summary>
internal sealed class FullDisk(long capacity)
{
    private long _left = capacity;

    /// <summary>Opens <paramref name="path"/> for writing on this disk.</summary>
    public Stream Create(string path) => new Limited(File.Create(path), this, path);

    private sealed class Limited(FileStream file, FullDisk disk, string path) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => file.Length;

        public override long Position { get => file.Position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int fits = (int)Math.Min(buffer.Length, Interlocked.Read(ref disk._left));
            Interlocked.Add(ref disk._left, -fits);
            file.Write(buffer[..fits]);
            if (fits < buffer.Length) throw new IOException($"No space left on device : '{path}'");
        }

        public override void Flush() => file.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) file.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// A real small file system: a tmpfs of a given size mounted on a fresh temporary folder, unmounted and removed on
/// dispose. Only where mounting is possible (Linux, as root, with the right to mount); <see cref="TryMount"/> says why not.
/// </summary>
internal sealed class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string path) => Path = path;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> bytes (rounded up to pages); null and the reason where it cannot be done.</summary>
    public static SmallTmpfs? TryMount(long bytes, out string why)
    {
        why = "";
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            why = "mounting a tmpfs needs Linux and root";
            return null;
        }
        string dir = Directory.CreateTempSubdirectory("condinst-tmpfs").FullName;
        var (code, err) = Exec("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", dir);
        if (code == 0) return new SmallTmpfs(dir);
        Directory.Delete(dir);
        why = $"mount -t tmpfs failed ({code}): {err.Trim()}";
        return null;
    }

    public void Dispose()
    {
        // A lazy unmount as the fallback: a file still open somewhere must not leave the mount behind.
        if (Exec("umount", Path).Code != 0) Exec("umount", "-l", Path);
        Directory.Delete(Path, true);
    }

    private static (int Code, string Err) Exec(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(start)!;
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(30_000))
            {
                p.Kill();
                return (-1, $"{file} did not finish in 30 s");
            }
            return (p.ExitCode, err);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
