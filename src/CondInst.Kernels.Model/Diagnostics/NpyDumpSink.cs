namespace CondInst.Kernels.Model;

/// <summary>Writes every reported stage to <c>folder/&lt;name&gt;.npy</c> (same names, shapes and layouts as mmdetection's fixture).</summary>
public sealed class NpyDumpSink : IStageObserver
{
    private readonly string _folder;
    private readonly IBackend _backend;

    /// <summary>Creates the folder if needed; tensors are downloaded from <paramref name="backend"/>.</summary>
    public NpyDumpSink(string folder, IBackend backend)
    {
        _folder = folder;
        _backend = backend;
        Directory.CreateDirectory(folder);
    }

    /// <summary>Names written so far.</summary>
    public List<string> Written { get; } = [];

    /// <inheritdoc/>
    public void Tensor(string name, Tensor tensor)
    {
        NpyArray array;
        switch (tensor.DType)
        {
            case DType.Float32: { var a = new float[tensor.Length]; _backend.Download<float>(tensor, a); array = NpyArray.FromFloats(a, tensor.Shape.ToArray()); break; }
            case DType.Int32: { var a = new int[tensor.Length]; _backend.Download<int>(tensor, a); array = NpyArray.FromInts(a, tensor.Shape.ToArray()); break; }
            default: { var a = new byte[tensor.Length]; _backend.Download<byte>(tensor, a); array = NpyArray.FromBytes(a, false, tensor.Shape.ToArray()); break; }
        }
        Array(name, array);
    }

    /// <inheritdoc/>
    public void Array(string name, Func<NpyArray> make) => Array(name, make());

    /// <inheritdoc/>
    public void StageDone(string stage)
    {
    }

    private void Array(string name, NpyArray array)
    {
        array.Write(Path.Combine(_folder, name + ".npy"));
        Written.Add(name);
    }
}
