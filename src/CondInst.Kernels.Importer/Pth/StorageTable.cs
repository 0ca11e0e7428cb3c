using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>
/// Resolves the persistent ids of a .pth pickle to <see cref="StorageRef"/>s (one per key, shared by every tensor
/// that views it). Zip ids are <c>('storage', type, key, location, numel)</c>; legacy ids add a sixth item, the
/// view metadata <c>(view_key, offset, view_size)</c> or None. The type is a typed storage class
/// (<c>torch.FloatStorage</c>...), <c>torch.UntypedStorage</c> (bytes) or a dtype (<c>torch.float32</c>...).
/// </summary>
internal sealed class StorageTable(string file)
{
    private readonly Dictionary<string, StorageRef> _byKey = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, StorageRef> ByKey => _byKey;

    public object? Load(object?[] pid, string where, bool legacy)
    {
        int expected = legacy ? 6 : 5;
        if (pid.Length != expected || pid[0] is not "storage")
            throw new ImporterException($"{where}: persistent id must be ('storage', type, key, location, size{(legacy ? ", view" : "")}), found a tuple of {pid.Length} starting with {Unpickler.Describe(pid.Length > 0 ? pid[0] : null)}");
        var dtype = pid[1] switch
        {
            PyGlobal { Kind: GlobalKind.TypedStorageClass or GlobalKind.DTypeObject, DType: { } d } => d,
            PyGlobal { Kind: GlobalKind.UntypedStorageClass } => TensorDType.UInt8,
            PyGlobal g => throw new ImporterException($"{where}: storage type {g.FullName} is not supported; expected one of torch.{{Float,Half,BFloat16,Double,Long,Int,Char,Byte,Bool}}Storage, torch.UntypedStorage or a torch dtype"),
            var o => throw new ImporterException($"{where}: storage type must be a torch storage class, found {Unpickler.Describe(o)}"),
        };
        if (pid[2] is not string key) throw new ImporterException($"{where}: storage key must be a string, found {Unpickler.Describe(pid[2])}");
        string location = pid[3] as string ?? "?";
        if (pid[4] is not long numel || numel < 0) throw new ImporterException($"{where}: storage '{key}' size must be a non-negative int, found {Unpickler.Describe(pid[4])}");
        StorageView? view = null;
        if (legacy && pid[5] is not null)
        {
            // Pre-1.0 torch: the tensor's storage is a slice [offset, offset+size) of root storage `key`.
            if (pid[5] is not object?[] { Length: 3 } v || v[0] is not string viewKey || v[1] is not long vOff || v[2] is not long vSize || vOff < 0 || vSize < 0)
                throw new ImporterException($"{where}: storage '{key}' view metadata must be (view_key, offset, size), found {Unpickler.Describe(pid[5])}");
            Register(key, new StorageRef(key, dtype, numel, location, null), where);
            return Register(viewKey, new StorageRef(viewKey, dtype, vSize, location, new StorageView(key, vOff, vSize)), where);
        }
        return Register(key, new StorageRef(key, dtype, numel, location, view), where);
    }

    private StorageRef Register(string key, StorageRef s, string where)
    {
        if (_byKey.TryGetValue(key, out var known))
        {
            if (known.DType != s.DType)
                throw new ImporterException($"{where}: storage '{key}' is referenced as {known.DType.TorchName()} and as {s.DType.TorchName()}; one element type per storage is supported");
            return known;
        }
        if (_byKey.Count >= 10_000_000) throw new ImporterException($"{file}: more than 10,000,000 storages");
        _byKey[key] = s;
        return s;
    }
}
