namespace CondInst.Kernels.Model.Benchmarking;

/// <summary>
/// Convolution multiply-adds of the CondInst body per part for one padded input, as docs/INFERENCE.md#sizes counts
/// them (k·k·C_in/groups per output element of every convolution, from <see cref="ConvSpec.Macs"/>; norms,
/// activations, resizes and bias adds not counted).
/// Counted by running the network's own forward pass on a backend that only counts
/// (<see cref="MacCountingBackend"/>), so the count is that of the convolutions the network has. The R-50 at
/// 1344x800 gives 239,881,420,800.
/// </summary>
/// <param name="Backbone">ResNet stem and four stages.</param>
/// <param name="Fpn">Laterals, outputs, P6 and P7.</param>
/// <param name="Head">Both towers and the four predictors on P3..P7.</param>
/// <param name="MaskBranch">Level convs, branch convs and the 1x1 predictor.</param>
public sealed record BodyMacs(long Backbone, long Fpn, long Head, long MaskBranch)
{
    /// <summary>All four parts.</summary>
    public long Total => Backbone + Fpn + Head + MaskBranch;

    /// <summary>The counts for <paramref name="arch"/> on a [batch, 3, paddedHeight, paddedWidth] input.</summary>
    public static BodyMacs For(CondInstArchitecture arch, int paddedHeight, int paddedWidth, int batch = 1)
    {
        ArgumentNullException.ThrowIfNull(arch);
        if (paddedHeight <= 0 || paddedWidth <= 0 || batch <= 0)
            throw new ArgumentOutOfRangeException(nameof(paddedHeight), $"input {batch}x3x{paddedHeight}x{paddedWidth} must be positive");
        using var counter = new MacCountingBackend();
        using var network = new CondInstNetwork(counter, WeightSet.Zeros(arch), arch);
        var parts = new PartCounter(counter);
        using var input = counter.Allocate(DType.Float32, batch, 3, paddedHeight, paddedWidth);
        network.Forward(input, parts).Dispose();
        long Part(string stage) => parts.Macs.TryGetValue(stage, out long m) ? m : throw new InvalidOperationException($"the network reported no stage '{stage}'");
        return new BodyMacs(Part("backbone"), Part("fpn"), Part("head"), Part("mask_branch"));
    }

    /// <summary>Dynamic mask head multiply-adds for <paramref name="instances"/> on the stride-8 map of a padded input.</summary>
    public static long MaskHead(int paddedHeight, int paddedWidth, int instances) =>
        (long)Ilgpu.MaskHeadLayout.MacsPerPixel * (paddedHeight / 8) * (paddedWidth / 8) * instances;

    // The count since the previous stage end, by stage.
    private sealed class PartCounter(MacCountingBackend counter) : IStageObserver
    {
        private long _last;

        public Dictionary<string, long> Macs { get; } = new(StringComparer.Ordinal);

        public void StageDone(string stage)
        {
            Macs[stage] = counter.Macs - _last;
            _last = counter.Macs;
        }

        public void Tensor(string name, Tensor tensor)
        {
        }

        public void Array(string name, Func<NpyArray> make)
        {
        }
    }
}
