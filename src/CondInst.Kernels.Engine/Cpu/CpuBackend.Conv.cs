namespace CondInst.Kernels;

// Convolution: packed GEMM with im2col fused into the packing and the BN/bias/residual/ReLU epilogue fused into
// the micro-kernel's store (see Conv/).
public sealed partial class CpuBackend
{
    // Below this many tiles a 3x3 convolution has too few Winograd blocks to keep the cores busy; the GEMM path
    // also splits output channels.
    private const int WinogradMinTiles = 4 * ConvWinograd.NB;

    // F(4x4, 3x3) needs this many 4x4 tiles (16 blocks: outputs of about 90x90 and up) and this many output channels.
    // Below, F(2x2) was as fast or faster in the interleaved runs of `winograd --parts speed` (benchmarks/RESULTS.md,
    // "Winograd: error and choice"): with few blocks the work items do not spread evenly over the cores, and with
    // one or two micro-kernel panels of output channels the transforms, which F(4x4) makes dearer per tile, dominate.
    private const int Winograd4MinTiles = 16 * ConvWinograd.NB;
    private const int Winograd4MinChannels = 16;

    /// <inheritdoc/>
    public override IPreparedConv PrepareConv(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> scale)
    {
        OpChecks.ConvWeights(spec, weight, bias, scale);
        return new CpuConv(spec, weight, bias, scale) { Algorithm = ConvAlgorithm };
    }

    /// <summary>
    /// The algorithm each convolution prepared from now on starts with: Auto (by shape) unless a test or benchmark
    /// forces one on a whole network.
    /// </summary>
    internal ConvAlgorithm ConvAlgorithm { get; set; }

    /// <inheritdoc/>
    public override unsafe void Conv2d(IPreparedConv conv, Tensor x, Tensor y, Tensor? residual = null, bool relu = false)
    {
        if (conv is not CpuConv c)
            throw new ArgumentException($"conv2d: the convolution was prepared by {conv.GetType().Name}, not by the cpu backend's PrepareConv");
        var (n, h, w, oh, ow) = OpChecks.Conv2d(this, conv, x, y, residual);
        if (n == 0) return;
        var xt = Host("conv2d", x);
        var yt = Host("conv2d", y);
        float* yp = yt.Pointer<float>(), xp = xt.Pointer<float>();
        Tensor? copy = null, phases = null;
        try
        {
            var run = c;
            if (c.Phases is { } p && c.Algorithm == ConvAlgorithm.Auto)
            {
                // Stride 2 as stride 1 over the four phases of the input (ConvPhases).
                var (hp, wp) = ConvPhases.Size(h, w);
                phases = Allocate(DType.Float32, n, p.Spec.InChannels, hp, wp);
                float* xs = ((HostTensor)phases).Pointer<float>();
                (c.PhaseJob ??= new ConvPhases()).Split(xp, xs, n, c.Spec.InChannels, h, w);
                (run, h, w) = (p, hp, wp);
                xp = xs;
            }
            float* rp = residual is null ? null : Host("conv2d", residual).Pointer<float>();
            if (rp == yp && run.K > ConvGemm.KC)
            {
                // y doubles as the residual: partial sums would overwrite it before the last pass reads it.
                copy = Allocate(DType.Float32, residual!.Shape.ToArray());
                Copy(residual, copy);
                rp = ((HostTensor)copy).Pointer<float>();
            }
            int tile = WinogradTile(run, oh, ow);
            if (tile > 0)
            {
                var job = run.WinogradJob ??= new ConvWinograd();
                job.Run(run, tile, xp, yp, rp, relu, n, h, w, oh, ow);
            }
            else
            {
                var job = run.Job ??= new ConvGemm();
                job.Run(run, xp, yp, rp, relu, n, h, w, oh, ow);
            }
        }
        finally
        {
            copy?.Dispose();
            phases?.Dispose();
        }
    }

    // The Winograd output tile for this convolution at this output size, 0 for the im2col GEMM.
    internal static int WinogradTile(CpuConv c, int oh, int ow)
    {
        if (!c.HasWinograd) return 0;
        return c.Algorithm switch
        {
            ConvAlgorithm.Gemm => 0,
            ConvAlgorithm.Winograd2 => 2,
            ConvAlgorithm.Winograd4 => 4,
            _ when ConvWinograd.Tiles(4, oh, ow) >= Winograd4MinTiles && c.Spec.OutChannels >= Winograd4MinChannels => 4,
            _ => ConvWinograd.Tiles(2, oh, ow) >= WinogradMinTiles ? 2 : 0,
        };
    }
}
