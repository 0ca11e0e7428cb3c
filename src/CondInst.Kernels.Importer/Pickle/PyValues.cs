namespace CondInst.Kernels.Importer.Pickle;

// Values the pickle machine builds. Plain data only: strings, long, double, bool, null, BigInteger, byte[],
// object?[] (tuple), List<object?> (list, set), PyDict, and the types below. Nothing here can run code.

/// <summary>A Python dict (or OrderedDict) in insertion order; setting an existing str/int key replaces its value.</summary>
internal sealed class PyDict
{
    private readonly Dictionary<object, int> _index = [];

    public List<KeyValuePair<object?, object?>> Items { get; } = [];

    /// <summary>The class it was built from (<c>collections.OrderedDict</c> or null for a plain dict), for messages.</summary>
    public string? TypeName { get; init; }

    public void Set(object? key, object? value)
    {
        if (key is string or long or bool)
        {
            if (_index.TryGetValue(key, out int i))
            {
                Items[i] = new(key, value);
                return;
            }
            _index[key] = Items.Count;
        }
        Items.Add(new(key, value));
    }

    public bool TryGet(string key, out object? value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            value = Items[i].Value;
            return true;
        }
        value = null;
        return false;
    }
}

/// <summary>What a global (a <c>module.name</c> reference) stands for in the allow-list.</summary>
internal enum GlobalKind
{
    /// <summary>Outside the allow-list: kept as an inert reference, never called.</summary>
    Placeholder,
    OrderedDict,
    Set,
    FrozenSet,
    RebuildTensorV2,
    RebuildTensorV3,
    RebuildParameter,
    RebuildParameterWithState,
    RebuildFromTypeV2,
    TensorClass,
    TorchSize,
    TypedStorageClass,
    UntypedStorageClass,
    DTypeObject,
    CodecsEncode,

    /// <summary>Allow-listed data constructors (numpy scalars/arrays/dtypes) recorded as inert objects, never rebuilt.</summary>
    InertData,
}

/// <summary>A global reference resolved against the allow-list.</summary>
internal sealed record PyGlobal(string Module, string Name, GlobalKind Kind, TensorDType? DType)
{
    public string FullName => Module + "." + Name;

    public override string ToString() => FullName;
}

/// <summary>An allow-listed data object recorded, not rebuilt (e.g. a numpy scalar in the metadata).</summary>
internal sealed class PyInert(PyGlobal type, object? args)
{
    public PyGlobal Type { get; } = type;

    public object? Args { get; } = args;

    public object? State { get; set; }
}

/// <summary>A storage named by a persistent id: its key in the archive, element type and element count.</summary>
internal sealed record StorageRef(string Key, TensorDType DType, long Numel, string Location, StorageView? View);

/// <summary>The legacy format's view of a root storage (pre-1.0 torch): element offset and length inside the root.</summary>
internal sealed record StorageView(string RootKey, long Offset, long Numel);

/// <summary>A tensor as pickled: a strided view of a storage, materialised once the storages are located.</summary>
internal sealed record PickledTensor(StorageRef Storage, TensorDType DType, long Offset, long[] Size, long[] Stride)
{
    public string Describe() => $"tensor {DType.TorchName()} [{string.Join(", ", Size)}]";
}
