namespace CondInst.Kernels.Tests.Harness;

/// <summary>
/// One backend plus everything an operation case made on it (inputs, outputs, prepared convolutions), all freed
/// together when the case ends, so the harness can check that the backend itself leaked nothing.
/// </summary>
public sealed class OpScope(IBackend backend) : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public IBackend B { get; } = backend;

    public Tensor Up(float[] data, params int[] shape) => Track(B.Upload<float>(data, shape));

    public Tensor Up(int[] data, params int[] shape) => Track(B.Upload<int>(data, shape));

    public Tensor Up(byte[] data, params int[] shape) => Track(B.Upload<byte>(data, shape));

    /// <summary>An output tensor, pre-filled with a poison value so unwritten elements show up.</summary>
    public Tensor Out(DType dtype, params int[] shape)
    {
        var t = Track(B.Allocate(dtype, shape));
        B.Fill(t, dtype == DType.Float32 ? float.NaN : dtype == DType.Int32 ? -7 : 77);
        return t;
    }

    public T Track<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
