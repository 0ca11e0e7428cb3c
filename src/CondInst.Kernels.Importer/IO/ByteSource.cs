using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace CondInst.Kernels.Importer.IO;

/// <summary>
/// The bytes of a checkpoint: a read-only memory map of the file (so tensors are views, never copies of the whole
/// file) or, for tests, an array. Every read is bounds-checked against the source and fails with an
/// <see cref="ImporterException"/> naming the file, the offset and what was needed.
/// </summary>
internal abstract class ByteSource : IDisposable
{
    protected ByteSource(string name, long length)
    {
        Name = name;
        Length = length;
    }

    /// <summary>The file's path (or a test's name for an array), used in every message.</summary>
    public string Name { get; }

    /// <summary>Total length in bytes.</summary>
    public long Length { get; }

    /// <summary>Opens <paramref name="path"/> as a read-only memory map.</summary>
    public static ByteSource Open(string path)
    {
        // A FIFO or device reports length 0 and opening it can block forever: refuse by size before opening.
        if (Directory.Exists(path)) throw new ImporterException($"{path}: is a directory; expected a .pth or .safetensors checkpoint file");
        if (File.Exists(path) && new FileInfo(path).Length == 0)
            throw new ImporterException($"{path}: empty file (0 bytes); expected a .pth or .safetensors checkpoint (a FIFO or device reads as 0 bytes and is not opened)");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ImporterException($"{path}: cannot open: {e.Message}", e);
        }
        if (stream.Length == 0)
        {
            stream.Dispose();
            throw new ImporterException($"{path}: empty file (0 bytes); expected a .pth or .safetensors checkpoint");
        }
        return new MappedByteSource(path, stream);
    }

    /// <summary>Bytes held in memory (tests, fuzzing).</summary>
    public static ByteSource FromArray(string name, byte[] bytes) => new ArrayByteSource(name, bytes);

    /// <summary>Throws unless [offset, offset+length) lies inside the source.</summary>
    public void Check(long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset > Length || length > Length - offset)
            throw new ImporterException($"{Name}: {what} needs bytes [{offset}, {offset + length}) but the file has {Length} bytes");
    }

    /// <summary>A bounds-checked span (only for structures: headers, pickles).</summary>
    public ReadOnlySpan<byte> Span(long offset, int length, string what)
    {
        Check(offset, length, what);
        return GetSpan(offset, length);
    }

    /// <summary>A bounds-checked view that stays valid until the source is disposed (tensor data).</summary>
    public ReadOnlyMemory<byte> Memory(long offset, int length, string what)
    {
        Check(offset, length, what);
        return GetMemory(offset, length);
    }

    protected abstract ReadOnlySpan<byte> GetSpan(long offset, int length);

    protected abstract ReadOnlyMemory<byte> GetMemory(long offset, int length);

    /// <summary>Releases the map.</summary>
    public abstract void Dispose();

    private sealed class ArrayByteSource(string name, byte[] bytes) : ByteSource(name, bytes.LongLength)
    {
        protected override ReadOnlySpan<byte> GetSpan(long offset, int length) => bytes.AsSpan((int)offset, length);

        protected override ReadOnlyMemory<byte> GetMemory(long offset, int length) => bytes.AsMemory((int)offset, length);

        public override void Dispose()
        {
        }
    }

    private sealed unsafe class MappedByteSource : ByteSource
    {
        private readonly MemoryMappedFile _map;
        private readonly MemoryMappedViewAccessor _view;
        private readonly byte* _base;
        private volatile bool _disposed;

        public MappedByteSource(string path, FileStream stream) : base(path, stream.Length)
        {
            try
            {
                _map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
                _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stream.Dispose();
                throw new ImporterException($"{path}: cannot memory-map: {e.Message}", e);
            }
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            // The view starts at a page boundary; PointerOffset is where file offset 0 lies inside it.
            _base = p + _view.PointerOffset;
        }

        protected override ReadOnlySpan<byte> GetSpan(long offset, int length)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new ReadOnlySpan<byte>(_base + offset, length);
        }

        protected override ReadOnlyMemory<byte> GetMemory(long offset, int length) => new View(this, offset, length).Memory;

        public override void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _map.Dispose();
        }

        // A Memory<byte> over part of the map. Every Span access re-checks the map is alive, so reading a tensor
        // after its checkpoint was disposed throws ObjectDisposedException instead of touching unmapped memory.
        private sealed class View(MappedByteSource owner, long offset, int length) : MemoryManager<byte>
        {
            public override Span<byte> GetSpan()
            {
                ObjectDisposedException.ThrowIf(owner._disposed, owner);
                return new Span<byte>(owner._base + offset, length);
            }

            public override MemoryHandle Pin(int elementIndex = 0)
            {
                ObjectDisposedException.ThrowIf(owner._disposed, owner);
                return new MemoryHandle(owner._base + offset + elementIndex);
            }

            public override void Unpin()
            {
            }

            protected override void Dispose(bool disposing)
            {
            }
        }
    }
}
