namespace CondInst.Kernels;

/// <summary>Element types a <see cref="Tensor"/> can hold.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float: activations and weights.</summary>
    Float32,

    /// <summary>32-bit signed integer: indices, labels, counts.</summary>
    Int32,

    /// <summary>8-bit unsigned integer: images and binary masks.</summary>
    UInt8,
}

/// <summary>Helpers for <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>Size of one element in bytes.</summary>
    public static int Size(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Int32 => 4,
        DType.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>The <see cref="DType"/> of an unmanaged CLR element type.</summary>
    public static DType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        throw new NotSupportedException($"no tensor dtype for CLR type {typeof(T).Name}: expected float, int or byte");
    }
}
