namespace CondInst.Kernels;

/// <summary>
/// A dense, C-ordered (row-major) block of elements living on one backend. Activations are NCHW float32.
/// A tensor either owns its storage (returned to the backend's pool on <see cref="Dispose"/>) or is a view
/// (<see cref="Reshape"/>, <see cref="Slice"/>) sharing its parent's storage; disposing a view does nothing,
/// and a view must not outlive its parent.
/// </summary>
public abstract class Tensor : IDisposable
{
    private readonly int[] _shape;

    /// <summary>Creates the shape bookkeeping; backends supply the storage.</summary>
    protected Tensor(DType dtype, ReadOnlySpan<int> shape)
    {
        DType = dtype;
        _shape = shape.ToArray();
        long n = 1;
        foreach (int d in _shape)
        {
            if (d < 0) throw new ArgumentException($"tensor shape {Format(shape)} has a negative dimension");
            n = checked(n * d);
        }
        Length = n;
    }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Dimensions, outermost first. Do not modify.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Number of bytes the elements occupy.</summary>
    public long ByteLength => Length * DType.Size();

    /// <summary>The backend whose memory holds the elements.</summary>
    public abstract IBackend Backend { get; }

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[axis < 0 ? axis + _shape.Length : axis];

    /// <summary>A view with the same elements and another shape of the same element count.</summary>
    public Tensor Reshape(params int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        if (n != Length)
            throw new ArgumentException($"cannot reshape {this} to {Format(shape)}: element counts {Length} and {n} differ");
        return CreateView(0, shape);
    }

    /// <summary>
    /// A view of <paramref name="count"/> consecutive entries along the first axis starting at <paramref name="start"/>.
    /// </summary>
    public Tensor Slice(int start, int count)
    {
        if (Rank == 0) throw new ArgumentException($"cannot slice a scalar tensor {this}");
        if (start < 0 || count < 0 || start + count > _shape[0])
            throw new ArgumentOutOfRangeException(nameof(start), $"slice [{start}, {start + count}) is outside the first axis of {this}");
        long inner = _shape[0] == 0 ? 0 : Length / _shape[0];
        var shape = (int[])_shape.Clone();
        shape[0] = count;
        return CreateView(start * inner, shape);
    }

    /// <summary>Backend hook: a non-owning view starting <paramref name="elementOffset"/> elements in.</summary>
    protected abstract Tensor CreateView(long elementOffset, int[] shape);

    /// <summary>Returns owned storage to the backend's pool; no-op for views.</summary>
    public abstract void Dispose();

    /// <summary>True when both tensors have the same dimensions.</summary>
    public bool SameShape(Tensor other) => Shape.SequenceEqual(other.Shape);

    /// <inheritdoc/>
    public override string ToString() => $"{DType.ToString().ToLowerInvariant()}{Format(_shape)}";

    /// <summary>Formats a shape as <c>[1, 3, 288, 448]</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
