using System.Text;

namespace CondInst.Kernels.Importer.Pickle;

// REDUCE, NEWOBJ and BUILD: the only opcodes that would run code in Python. Here each allow-listed global has a
// data-only meaning; anything else is refused by name.
internal sealed partial class Unpickler
{
    private object? Reduce(object? callable, object?[] args)
    {
        var g = callable as PyGlobal ?? throw Error($"REDUCE on {Describe(callable)}; only allow-listed globals may be called");
        switch (g.Kind)
        {
            case GlobalKind.OrderedDict:
                {
                    // OrderedDict() or OrderedDict([(k, v), ...]).
                    var d = new PyDict { TypeName = "OrderedDict" };
                    if (args.Length > 0 && args[0] is List<object?> pairs)
                    {
                        foreach (var p in pairs)
                        {
                            if (p is not object?[] { Length: 2 } kv) throw Error($"OrderedDict item must be a (key, value) pair, found {Describe(p)}");
                            d.Set(kv[0], kv[1]);
                        }
                    }
                    else if (args.Length > 0 && args[0] is not null)
                    {
                        throw Error($"OrderedDict expects () or a list of pairs, found {Describe(args[0])}");
                    }
                    return d;
                }
            case GlobalKind.Set:
            case GlobalKind.FrozenSet:
                return args.Length > 0 && args[0] is List<object?> items ? new List<object?>(items) : new List<object?>();
            case GlobalKind.TorchSize:
                return args.Length == 1 && args[0] is object?[] dims ? dims : throw Error($"torch.Size expects one tuple, found {args.Length} arguments");
            case GlobalKind.CodecsEncode:
                // Protocol 2 pickles Python 3 bytes as _codecs.encode(text, 'latin1'): decode back to bytes, nothing else.
                if (args is [string text, string enc] && enc.Equals("latin1", StringComparison.OrdinalIgnoreCase))
                    return Encoding.Latin1.GetBytes(text);
                throw Error("_codecs.encode is only accepted as encode(str, 'latin1')");
            case GlobalKind.RebuildTensorV2:
                return RebuildTensor(g, args, dtypeArg: false);
            case GlobalKind.RebuildTensorV3:
                return RebuildTensor(g, args, dtypeArg: true);
            case GlobalKind.RebuildParameter:
            case GlobalKind.RebuildParameterWithState:
                // Parameter(data, requires_grad, hooks[, state]): the data is the tensor.
                return args.Length >= 1 && args[0] is PickledTensor t ? t : throw Error($"{g.FullName} expects a tensor first, found {(args.Length > 0 ? Describe(args[0]) : "no arguments")}");
            case GlobalKind.RebuildFromTypeV2:
                {
                    // _rebuild_from_type_v2(func, new_type, args, state) for Tensor/Parameter subclasses: apply func only.
                    // func must be a plain rebuild (never _rebuild_from_type_v2 again): no recursion a pickle could deepen.
                    if (args.Length < 3 || args[0] is not PyGlobal { Kind: GlobalKind.RebuildTensorV2 or GlobalKind.RebuildTensorV3 or GlobalKind.RebuildParameter } func
                        || args[1] is not PyGlobal { Kind: GlobalKind.TensorClass } || args[2] is not object?[] inner)
                        throw Error($"{g.FullName} expects (a tensor rebuild function, torch.Tensor or Parameter, args tuple, state)");
                    return Reduce(func, inner);
                }
            case GlobalKind.InertData:
                return new PyInert(g, args);
            default:
                throw Error($"refusing to call {g.FullName}: not in the importer's allow-list (a checkpoint never needs it; the pickle may be malicious)");
        }
    }

    private object? NewObject(object? cls, object?[] args)
    {
        var g = cls as PyGlobal ?? throw Error($"NEWOBJ on {Describe(cls)}; only allow-listed classes may be instantiated");
        return g.Kind switch
        {
            GlobalKind.OrderedDict => new PyDict { TypeName = "OrderedDict" },
            GlobalKind.Set or GlobalKind.FrozenSet => new List<object?>(),
            GlobalKind.InertData => new PyInert(g, args),
            _ => throw Error($"refusing to instantiate {g.FullName}: not in the importer's allow-list (a checkpoint never needs it; the pickle may be malicious)"),
        };
    }

    private void Build(object? target, object? state)
    {
        switch (target)
        {
            case PyDict:
                // OrderedDict state: {'_metadata': ...} (module versions of a state dict). Attributes are not needed.
                if (state is not (PyDict or null or object?[])) throw Error($"BUILD on a dict with state {Describe(state)}; expected a dict of attributes");
                return;
            case PyInert inert:
                inert.State = state;
                return;
            case PickledTensor:
                // A tensor's Python attributes (rare); the values are all the importer needs.
                return;
            case PyGlobal g:
                throw Error($"refusing BUILD on {g.FullName}: not in the importer's allow-list");
            default:
                throw Error($"BUILD on {Describe(target)}; only dicts and allow-listed objects accept state");
        }
    }

    private PickledTensor RebuildTensor(PyGlobal g, object?[] args, bool dtypeArg)
    {
        // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        // _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])
        int need = dtypeArg ? 7 : 4;
        if (args.Length < need || args[0] is not StorageRef storage || args[1] is not long offset || args[2] is not object?[] size || args[3] is not object?[] stride)
            throw Error($"{g.FullName} expects (storage, offset, size tuple, stride tuple{(dtypeArg ? ", requires_grad, hooks, dtype" : ", ...")}), found ({string.Join(", ", args.Take(need).Select(Describe))})");
        var dtype = storage.DType;
        if (dtypeArg)
        {
            if (args[6] is not PyGlobal { Kind: GlobalKind.DTypeObject, DType: { } d }) throw Error($"{g.FullName}: dtype argument must be a torch dtype, found {Describe(args[6])}");
            dtype = d;
        }
        if (size.Length != stride.Length) throw Error($"{g.FullName}: size has {size.Length} dimensions, stride {stride.Length}");
        if (size.Length > 32) throw Error($"{g.FullName}: {size.Length} dimensions (at most 32 accepted)");
        var sz = new long[size.Length];
        var st = new long[size.Length];
        for (int i = 0; i < sz.Length; i++)
        {
            if (size[i] is not long a || a < 0 || a > int.MaxValue) throw Error($"{g.FullName}: size[{i}] must be an int in [0, {int.MaxValue}], found {Describe(size[i])}");
            if (stride[i] is not long b || b < 0) throw Error($"{g.FullName}: stride[{i}] must be a non-negative int, found {Describe(stride[i])}");
            sz[i] = a;
            st[i] = b;
        }
        if (offset < 0) throw Error($"{g.FullName}: negative storage offset {offset}");
        return new PickledTensor(storage, dtype, offset, sz, st);
    }
}
