using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Model.Benchmarking;

/// <summary>A model ready to be timed, the backend whose pool it allocates from, and what else to dispose.</summary>
public sealed class BenchTarget : IDisposable
{
    private readonly IDisposable? _owned;

    /// <summary>Wraps a model on <paramref name="backend"/>; disposing disposes the model, the backend and <paramref name="owned"/>.</summary>
    public BenchTarget(CondInstModel model, IBackend backend, string description, IDisposable? owned = null)
    {
        Model = model;
        Backend = backend;
        Description = description;
        _owned = owned;
    }

    /// <summary>The model <c>bench</c> calls Predict on.</summary>
    public CondInstModel Model { get; }

    /// <summary>The backend whose pool counters are reported.</summary>
    public IBackend Backend { get; }

    /// <summary>One line saying what runs where.</summary>
    public string Description { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Model.Dispose();
        Backend.Dispose();
        _owned?.Dispose();
    }
}

/// <summary>
/// A device <c>bench</c> can run besides the engine's own: a peer convolutional body that a host program (the
/// benchmarks executable, which alone depends on ONNX Runtime) registers, built from the same weights and settings.
/// </summary>
/// <param name="Device">The <c>--device</c> value that selects it.</param>
/// <param name="Open">Builds the target from the weights and test settings.</param>
public sealed record BenchPeer(string Device, Func<WeightSet, TestSettings, BenchTarget> Open);
