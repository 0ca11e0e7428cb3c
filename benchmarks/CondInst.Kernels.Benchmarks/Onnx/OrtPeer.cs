using CondInst.Kernels.Model;
using CondInst.Kernels.Model.Benchmarking;

namespace CondInst.Kernels.Benchmarks.Onnx;

/// <summary>
/// The <c>onnxruntime</c> device of <c>bench</c>: the convolutional body in ONNX Runtime (CPU execution provider),
/// the engine's own preprocessing and post-processing on the native <c>cpu</c> backend around it.
/// </summary>
public static class OrtPeer
{
    /// <summary>The bench device name.</summary>
    public const string Device = "onnxruntime";

    /// <summary>The peer, with ONNX Runtime using <paramref name="threads"/> intra-op threads.</summary>
    public static BenchPeer Create(int threads) => new(Device, (weights, settings) =>
    {
        var backend = Devices.Open("cpu");
        try
        {
            var model = CondInstModel.Create(backend, weights, settings, (b, w, arch) => new OrtBody(b, w, arch, threads));
            return new BenchTarget(model, backend,
                $"ONNX Runtime {OrtBody.Version} CPU body ({threads} intra-op threads, all graph optimisations) + engine pre/post-processing on {backend.Device.Name}");
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    });
}
