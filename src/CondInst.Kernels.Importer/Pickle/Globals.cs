namespace CondInst.Kernels.Importer.Pickle;

/// <summary>
/// The allow-list: the few globals a torch.save checkpoint needs, each with a data-only meaning. Every other
/// global becomes an inert <see cref="GlobalKind.Placeholder"/>; calling one (REDUCE, NEWOBJ) or setting its state
/// (BUILD) is refused by the machine, so a pickle can never run anything.
/// </summary>
internal static class Globals
{
    private static readonly Dictionary<string, TensorDType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = TensorDType.Float32,
        ["HalfStorage"] = TensorDType.Float16,
        ["BFloat16Storage"] = TensorDType.BFloat16,
        ["DoubleStorage"] = TensorDType.Float64,
        ["LongStorage"] = TensorDType.Int64,
        ["IntStorage"] = TensorDType.Int32,
        ["CharStorage"] = TensorDType.Int8,
        ["ByteStorage"] = TensorDType.UInt8,
        ["BoolStorage"] = TensorDType.Bool,
    };

    private static readonly Dictionary<string, TensorDType> DTypeNames = new(StringComparer.Ordinal)
    {
        ["float32"] = TensorDType.Float32,
        ["float"] = TensorDType.Float32,
        ["float16"] = TensorDType.Float16,
        ["half"] = TensorDType.Float16,
        ["bfloat16"] = TensorDType.BFloat16,
        ["float64"] = TensorDType.Float64,
        ["double"] = TensorDType.Float64,
        ["int64"] = TensorDType.Int64,
        ["long"] = TensorDType.Int64,
        ["int32"] = TensorDType.Int32,
        ["int"] = TensorDType.Int32,
        ["int8"] = TensorDType.Int8,
        ["uint8"] = TensorDType.UInt8,
        ["bool"] = TensorDType.Bool,
    };

    public static PyGlobal Resolve(string module, string name)
    {
        GlobalKind kind = (module, name) switch
        {
            ("collections", "OrderedDict") => GlobalKind.OrderedDict,
            ("builtins", "set") or ("__builtin__", "set") => GlobalKind.Set,
            ("builtins", "frozenset") or ("__builtin__", "frozenset") => GlobalKind.FrozenSet,
            ("torch._utils", "_rebuild_tensor_v2") => GlobalKind.RebuildTensorV2,
            ("torch._utils", "_rebuild_tensor_v3") => GlobalKind.RebuildTensorV3,
            ("torch._utils", "_rebuild_parameter") => GlobalKind.RebuildParameter,
            ("torch._utils", "_rebuild_parameter_with_state") => GlobalKind.RebuildParameterWithState,
            ("torch._tensor", "_rebuild_from_type_v2") => GlobalKind.RebuildFromTypeV2,
            ("torch._tensor", "Tensor") or ("torch", "Tensor") or ("torch.nn.parameter", "Parameter") => GlobalKind.TensorClass,
            ("torch", "Size") => GlobalKind.TorchSize,
            ("torch" or "torch.storage", "UntypedStorage" or "_UntypedStorage") => GlobalKind.UntypedStorageClass,
            ("_codecs", "encode") => GlobalKind.CodecsEncode,
            ("numpy.core.multiarray" or "numpy._core.multiarray", "scalar" or "_reconstruct") => GlobalKind.InertData,
            ("numpy", "dtype" or "ndarray") => GlobalKind.InertData,
            _ => GlobalKind.Placeholder,
        };
        TensorDType? dtype = null;
        if (kind == GlobalKind.Placeholder && module is "torch" or "torch.cuda" && StorageTypes.TryGetValue(name, out var st))
        {
            // Legacy typed storage classes (torch.cuda.* for checkpoints saved from a GPU; loaded to the host all the same).
            kind = GlobalKind.TypedStorageClass;
            dtype = st;
        }
        else if (kind == GlobalKind.Placeholder && module == "torch" && DTypeNames.TryGetValue(name, out var dt))
        {
            // The dtype form (torch.float32...) used with untyped storages and _rebuild_tensor_v3.
            kind = GlobalKind.DTypeObject;
            dtype = dt;
        }
        return new PyGlobal(module, name, kind, dtype);
    }
}
