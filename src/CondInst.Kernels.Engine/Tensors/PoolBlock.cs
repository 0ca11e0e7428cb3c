namespace CondInst.Kernels;

/// <summary>
/// What <see cref="BufferPool{TBuffer}.Rent"/> hands out: <see cref="Bytes"/> bytes at byte <see cref="Offset"/> of
/// <see cref="Buffer"/>, which other blocks may share (the pool's arena). Give it back with
/// <see cref="BufferPool{TBuffer}.Return"/> exactly once.
/// </summary>
/// <typeparam name="TBuffer">The backend's buffer type.</typeparam>
/// <param name="Buffer">The buffer the block lies in.</param>
/// <param name="Offset">Byte offset of the block in the buffer (a multiple of <see cref="BufferPool{TBuffer}.MinClassBytes"/>).</param>
/// <param name="Bytes">Usable bytes, at least what was asked.</param>
public readonly record struct PoolBlock<TBuffer>(TBuffer Buffer, long Offset, long Bytes) where TBuffer : class;
