namespace CondInst.Kernels;

/// <summary>
/// Argument checks shared by every backend, so that each operation rejects bad shapes with the same clear
/// message (operation, argument, expected, found) before any kernel runs.
/// </summary>
public static partial class OpChecks
{
    /// <summary>Throws unless <paramref name="t"/> has the given dtype and rank.</summary>
    public static void Require(string op, string name, Tensor t, DType dtype, int rank)
    {
        if (t.DType != dtype || t.Rank != rank)
            throw new ArgumentException($"{op}: {name} must be {dtype.ToString().ToLowerInvariant()} of rank {rank}, found {t}");
    }

    /// <summary>Throws unless <paramref name="t"/> has exactly <paramref name="shape"/> and dtype.</summary>
    public static void RequireShape(string op, string name, Tensor t, DType dtype, params int[] shape)
    {
        if (t.DType != dtype || !t.Shape.SequenceEqual(shape))
            throw new ArgumentException($"{op}: {name} must be {dtype.ToString().ToLowerInvariant()}{Tensor.Format(shape)}, found {t}");
    }

    /// <summary>Throws unless <paramref name="t"/> is a float32 NCHW tensor.</summary>
    public static void Nchw(string op, string name, Tensor t) => Require(op, name, t, DType.Float32, 4);

    /// <summary>Throws unless the tensor belongs to <paramref name="backend"/>.</summary>
    public static void OnBackend(string op, IBackend backend, params Tensor?[] tensors)
    {
        foreach (var t in tensors)
            if (t != null && !ReferenceEquals(t.Backend, backend))
                throw new ArgumentException($"{op}: tensor {t} lives on {t.Backend.Device.Id}, not on {backend.Device.Id}");
    }
}
