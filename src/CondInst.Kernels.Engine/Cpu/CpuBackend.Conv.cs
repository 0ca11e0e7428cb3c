namespace CondInst.Kernels;

// Convolution: packed GEMM with im2col fused into the packing and the BN/bias/residual/ReLU epilogue fused into
// the micro-kernel's store; Winograd F(4x4) or F(2x2) for 3x3 stride 1; the same GEMM packed from even/odd column
// phases for the stride-2 stem and the 3x3 stride-2 convolutions (see Conv/).
public sealed partial class CpuBackend
{
    // Below this many tiles a 3x3 convolution has too few Winograd blocks to keep the cores busy; the GEMM path
    // also splits output channels.
    private const int WinogradMinTiles = 4 * ConvWinograd.NB;

    // F(4x4, 3x3) needs this many 4x4 tiles (16 blocks: outputs of about 90x90 and up) and this many output channels.
    // Below, F(2x2) was as fast or faster in the interleaved runs of `winograd --parts speed` (benchmarks/RESULTS.md,
    // "Winograd error"): with few blocks the work items do not spread evenly over the cores, and with one or two
    // micro-kernel panels of output channels the transforms, which F(4x4) makes dearer per tile, dominate.
    private const int Winograd4MinTiles = 16 * ConvWinograd.NB;
    private const int Winograd4MinChannels = 16;

    // Above this many input channels the GEMM: a memory choice. At 512 channels (the backbone's layer4, 25x42 at
    // 1333x800) F(2x2) took 0.75-0.85 of the GEMM's time in three interleaved runs (`winograd --parts speed`, 2026-12-07),
    // about 8 ms per convolution, for a 16.8 MB weight form each (34 MiB for the two); at 256 channels it takes
    // 0.52-0.56 for 4.2 MB. The peak working set of a 1333x800 prediction is held to 600 MiB (benchmarks/RESULTS.md).
    private const int WinogradMaxInChannels = 256;

    /// <summary>
    /// Bytes of prepared convolution weights that the cpu backends of this process hold (GEMM panels, the Winograd
    /// forms made so far, biases): native memory, outside the tensor pools and the managed heap.
    /// </summary>
    public static long PreparedWeightBytes => WeightBuffer.LiveBytes;

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
        float* yp = yt.Pointer<float>();
        Tensor? copy = null;
        try
        {
            float* rp = residual is null ? null : Host("conv2d", residual).Pointer<float>();
            if (rp == yp && c.K > ConvGemm.KC)
            {
                // y doubles as the residual: partial sums would overwrite it before the last pass reads it.
                copy = Allocate(DType.Float32, residual!.Shape.ToArray());
                Copy(residual, copy);
                rp = ((HostTensor)copy).Pointer<float>();
            }
            int tile = WinogradTile(c, oh, ow);
            c.Used(tile);
            if (tile > 0)
            {
                var job = c.WinogradJob ??= new ConvWinograd();
                job.Run(c, tile, xt.Pointer<float>(), yp, rp, relu, n, h, w, oh, ow);
            }
            else if (UsePhaseGemm(c))
            {
                var job = c.PhaseJob ??= new ConvPhaseGemm();
                job.Run(c, xt.Pointer<float>(), yp, rp, relu, n, h, w, oh, ow);
            }
            else
            {
                var job = c.Job ??= new ConvGemm();
                job.Run(c, xt.Pointer<float>(), yp, rp, relu, n, h, w, oh, ow, UsePhasePack(c));
            }
        }
        finally
        {
            copy?.Dispose();
        }
    }

    // Stride 2 across with at most this many input channels (the 7x7/2 stem) goes to the phase-split GEMM: its B rows
    // are contiguous copies where the im2col GEMM gathers every other column with border tests. On the stem at
    // 800x1216, interleaved in one process: 23.6-24.8 ms median against 28.3-30.0 for the im2col GEMM and 25.9-26.5
    // for ONNX Runtime (benchmarks/RESULTS.md, "Stem convolution"). Only the stem was measured, hence the narrow rule.
    private const int PhaseGemmMaxInChannels = 4;

    // True when this convolution runs as the phase-split GEMM.
    internal static bool UsePhaseGemm(CpuConv c) =>
        ConvPhaseGemm.Fits(c.Spec) && c.Algorithm switch
        {
            ConvAlgorithm.PhaseGemm => true,
            ConvAlgorithm.Auto => c.Spec.InChannels <= PhaseGemmMaxInChannels,
            _ => false,
        };

    // 3x3 stride-2 convolutions over 128 to 256 input channels (the R-50's layer2.0 and layer3.0 conv2, the FPN's
    // P6/P7) pack the im2col GEMM's B from column phases (ConvPhasePack): same bits, cheaper packing. Interleaved in
    // one process (`strided`, benchmarks/RESULTS.md, "3x3 stride-2 convolutions: phase-packed B"), median time over
    // the im2col GEMM's, three quiet passes: 0.91-0.92 on 128->128 @200x336, 0.92-0.93 on 256->256 @100x168,
    // 0.82-0.84 on 256->256 @25x42, 0.44-0.48 on 256->256 @7x11. 512->512 @50x84 gained only 4-5 % (0.95-0.96),
    // under the 5 % bar, so it keeps the im2col GEMM; other channel counts were not measured.
    private const int PhasePackMinInChannels = 128, PhasePackMaxInChannels = 256;

    // True when this convolution runs as the im2col GEMM with B packed from column phases.
    internal static bool UsePhasePack(CpuConv c) =>
        !UsePhaseGemm(c) && ConvPhasePack.Fits(c.Spec) && c.Algorithm switch
        {
            ConvAlgorithm.PhaseGemm => true,
            ConvAlgorithm.Auto => c.Spec is { KernelH: 3, KernelW: 3, StrideH: 2, InChannels: >= PhasePackMinInChannels and <= PhasePackMaxInChannels },
            _ => false,
        };

    // The Winograd output tile for this convolution at this output size, 0 for the im2col GEMM.
    internal static int WinogradTile(CpuConv c, int oh, int ow)
    {
        if (!c.HasWinograd) return 0;
        return c.Algorithm switch
        {
            ConvAlgorithm.Gemm or ConvAlgorithm.PhaseGemm => 0,
            ConvAlgorithm.Winograd2 => 2,
            ConvAlgorithm.Winograd4 => 4,
            _ when c.Spec.InChannels > WinogradMaxInChannels => 0,
            _ when ConvWinograd.Tiles(4, oh, ow) >= Winograd4MinTiles && c.Spec.OutChannels >= Winograd4MinChannels => 4,
            _ => ConvWinograd.Tiles(2, oh, ow) >= WinogradMinTiles ? 2 : 0,
        };
    }
}
