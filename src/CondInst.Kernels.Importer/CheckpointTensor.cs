using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CondInst.Kernels.Importer;

/// <summary>One tensor of a checkpoint (contiguous, C order, little-endian once read).</summary>
/// <remarks>
/// Tensors loaded from a file usually view its memory map: their <see cref="Data"/> is valid until the
/// <see cref="Checkpoint"/> is disposed (reading it afterwards throws <see cref="ObjectDisposedException"/>).
/// </remarks>
public sealed class CheckpointTensor
{
    /// <summary>Creates a tensor over raw little-endian C-order bytes.</summary>
    /// <exception cref="ArgumentException">A negative dimension, or a byte count that does not match the shape.</exception>
    public CheckpointTensor(string name, TensorDType dtype, int[] shape, ReadOnlyMemory<byte> data)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"tensor '{name}': negative dimension in shape {FormatShape(shape)}", nameof(shape));
            count *= d;
        }
        if (count * dtype.Size() != data.Length)
            throw new ArgumentException($"tensor '{name}': shape {FormatShape(shape)} of {dtype.TorchName()} needs {count * dtype.Size()} bytes, got {data.Length}", nameof(data));
        Name = name;
        DType = dtype;
        Shape = shape;
        Data = data;
        ElementCount = count;
    }

    /// <summary>State-dict key.</summary>
    public string Name { get; }

    /// <summary>Element type on disk.</summary>
    public TensorDType DType { get; }

    /// <summary>Dimensions (empty for a scalar).</summary>
    public int[] Shape { get; }

    /// <summary>Raw bytes, little-endian, C order.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount { get; }

    /// <summary>The values converted to float32 (float16/bfloat16/float64 converted, integers cast).</summary>
    public float[] ToFloat32()
    {
        var src = Data.Span;
        var dst = new float[ElementCount];
        switch (DType)
        {
            case TensorDType.Float32:
                // Little-endian hosts only (every .NET target this project runs on); the bytes are already float32.
                MemoryMarshal.Cast<byte, float>(src).CopyTo(dst);
                break;
            case TensorDType.Float16:
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
                break;
            case TensorDType.BFloat16:
                // bfloat16 is the upper half of a float32: shifting the bits back is exact.
                for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16);
                break;
            case TensorDType.Float64:
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]);
                break;
            case TensorDType.Int64:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]);
                break;
            case TensorDType.Int32:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]);
                break;
            case TensorDType.Int8:
                for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)src[i];
                break;
            default:
                // uint8 and bool: one byte each (bool stored as 0/1).
                for (int i = 0; i < dst.Length; i++) dst[i] = src[i];
                break;
        }
        return dst;
    }

    /// <summary>Formats a shape as <c>[64, 3, 7, 7]</c> (<c>[]</c> for a scalar).</summary>
    public static string FormatShape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";
}
