namespace CondInst.Kernels.Importer;

/// <summary>Element types a checkpoint tensor can have on disk.</summary>
public enum TensorDType
{
    /// <summary>IEEE float32.</summary>
    Float32,

    /// <summary>IEEE float16.</summary>
    Float16,

    /// <summary>bfloat16.</summary>
    BFloat16,

    /// <summary>IEEE float64.</summary>
    Float64,

    /// <summary>int64.</summary>
    Int64,

    /// <summary>int32.</summary>
    Int32,

    /// <summary>int8.</summary>
    Int8,

    /// <summary>uint8.</summary>
    UInt8,

    /// <summary>bool (one byte).</summary>
    Bool,
}

/// <summary>Sizes and names of <see cref="TensorDType"/> in the formats the importer reads and writes.</summary>
public static class TensorDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this TensorDType dtype) => dtype switch
    {
        TensorDType.Float64 or TensorDType.Int64 => 8,
        TensorDType.Float32 or TensorDType.Int32 => 4,
        TensorDType.Float16 or TensorDType.BFloat16 => 2,
        _ => 1,
    };

    /// <summary>True for the floating-point types (the only ones a model parameter may have).</summary>
    public static bool IsFloat(this TensorDType dtype) =>
        dtype is TensorDType.Float32 or TensorDType.Float16 or TensorDType.BFloat16 or TensorDType.Float64;

    /// <summary>PyTorch's name (<c>float32</c>, <c>bfloat16</c>, <c>int64</c>, <c>bool</c>...).</summary>
    public static string TorchName(this TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => "float32",
        TensorDType.Float16 => "float16",
        TensorDType.BFloat16 => "bfloat16",
        TensorDType.Float64 => "float64",
        TensorDType.Int64 => "int64",
        TensorDType.Int32 => "int32",
        TensorDType.Int8 => "int8",
        TensorDType.UInt8 => "uint8",
        _ => "bool",
    };

    /// <summary>The safetensors header name (<c>F32</c>, <c>BF16</c>, <c>I64</c>, <c>BOOL</c>...).</summary>
    public static string SafetensorsName(this TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => "F32",
        TensorDType.Float16 => "F16",
        TensorDType.BFloat16 => "BF16",
        TensorDType.Float64 => "F64",
        TensorDType.Int64 => "I64",
        TensorDType.Int32 => "I32",
        TensorDType.Int8 => "I8",
        TensorDType.UInt8 => "U8",
        _ => "BOOL",
    };

    /// <summary>Parses a safetensors dtype name; false for names the importer does not support.</summary>
    public static bool TryParseSafetensors(string name, out TensorDType dtype)
    {
        foreach (var d in Enum.GetValues<TensorDType>())
        {
            if (d.SafetensorsName() == name)
            {
                dtype = d;
                return true;
            }
        }
        dtype = default;
        return false;
    }
}
