namespace CondInst.Kernels.Tests.Reference;

/// <summary>
/// The plain, obviously-correct implementation of every operation: scalar loops in the order the formulas are
/// written (double accumulation where a sum is long). Every backend is tested against it.
/// </summary>
public sealed partial class ReferenceBackend : HostBackend
{
    public ReferenceBackend()
        : base(new DeviceInfo("scalar reference", DeviceKind.Cpu, "reference", 0, 1, 1))
    {
    }

    private float[] F(Tensor t) => Host("reference", t).AsSpan<float>().ToArray();

    private Span<float> Fs(Tensor t) => Host("reference", t).AsSpan<float>();

    private Span<int> Is(Tensor t) => Host("reference", t).AsSpan<int>();

    private Span<byte> Bs(Tensor t) => Host("reference", t).AsSpan<byte>();

    internal static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
