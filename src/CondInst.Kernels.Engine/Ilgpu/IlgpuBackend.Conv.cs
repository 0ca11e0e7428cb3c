using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// Convolution: the tiled implicit GEMM for channel-heavy layers, the direct kernel for the rest.
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams>? _convDirect;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams>? _convGemm;

    /// <summary>A convolution's weights on the device, laid out for the path chosen at preparation.</summary>
    private sealed class PreparedConv(IlgpuBackend owner, ConvSpec spec, ConvPath path, IlgpuTensor weight, IlgpuTensor? kTab,
        IlgpuTensor? bias, IlgpuTensor? scale, int kpad, int mpad) : IPreparedConv
    {
        private bool _disposed;

        public IlgpuBackend Owner { get; } = owner;
        public ConvSpec Spec { get; } = spec;
        public ConvPath Path { get; } = path;

        /// <summary>Direct: [Cout, Cg, KH, KW] as given. Gemm: [Groups, Kpad, Mpad], zero padded.</summary>
        public IlgpuTensor Weight { get; } = weight;

        /// <summary>Gemm only: packed (input channel, ky·DH, kx·DW) of each GEMM row, -1 for padding rows.</summary>
        public IlgpuTensor? KTab { get; } = kTab;

        public IlgpuTensor? Bias { get; } = bias;
        public IlgpuTensor? Scale { get; } = scale;
        public int Kpad { get; } = kpad;
        public int Mpad { get; } = mpad;
        public bool HasBias => Bias != null;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Weight.Dispose();
            KTab?.Dispose();
            Bias?.Dispose();
            Scale?.Dispose();
        }
    }

    /// <inheritdoc/>
    public IPreparedConv PrepareConv(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> scale)
    {
        OpChecks.ConvWeights(spec, weight, bias, scale);
        var path = ForceConvPath ?? ChooseConvPath(spec);
        if (path == ConvPath.Gemm && !GemmFits(spec))
            throw new ArgumentException($"conv2d: {spec} cannot use the tiled GEMM on {Device.Id} (needs 256-thread groups, kernel extent ≤ 256, < 32768 channels per group)");
        IlgpuTensor? w = null, tab = null, b = null, s = null;
        try
        {
            int kpad = 0, mpad = 0;
            if (path == ConvPath.Gemm)
            {
                var (packed, kTab, kp, mp) = PackForGemm(spec, weight);
                kpad = kp;
                mpad = mp;
                w = (IlgpuTensor)Upload<float>(packed, packed.Length);
                tab = (IlgpuTensor)Upload<int>(kTab, kTab.Length);
            }
            else
            {
                w = (IlgpuTensor)Upload(weight, weight.Length);
            }
            if (!bias.IsEmpty) b = (IlgpuTensor)Upload(bias, bias.Length);
            if (!scale.IsEmpty) s = (IlgpuTensor)Upload(scale, scale.Length);
            return new PreparedConv(this, spec, path, w, tab, b, s, kpad, mpad);
        }
        catch
        {
            w?.Dispose();
            tab?.Dispose();
            b?.Dispose();
            s?.Dispose();
            throw;
        }
    }

    /// <summary>The implementation a prepared convolution of this backend runs (tests).</summary>
    internal static ConvPath PathOf(IPreparedConv conv) => ((PreparedConv)conv).Path;

    // The GEMM needs a real output-channel and depth dimension to fill its 128 x 128 tiles; depthwise, grouped
    // with few channels per group, and tiny layers go to the direct kernel.
    private ConvPath ChooseConvPath(in ConvSpec spec)
    {
        int mg = spec.OutChannels / spec.Groups;
        int k = spec.InChannels / spec.Groups * spec.KernelH * spec.KernelW;
        return mg >= 16 && k >= 16 && GemmFits(spec) ? ConvPath.Gemm : ConvPath.Direct;
    }

    private bool GemmFits(in ConvSpec spec) =>
        GroupSize(ConvGemmKernels.Threads) == ConvGemmKernels.Threads
        && (spec.KernelH - 1) * spec.DilationH <= 255 && (spec.KernelW - 1) * spec.DilationW <= 255
        && spec.InChannels / spec.Groups < 32768;

    // Weights as [Groups, Kpad, Mpad]: row k of group g holds weight[g·Mg + m, k] for every m, zeros in the padding.
    private static (float[] Packed, int[] KTab, int Kpad, int Mpad) PackForGemm(in ConvSpec spec, ReadOnlySpan<float> weight)
    {
        int groups = spec.Groups, mg = spec.OutChannels / groups, cg = spec.InChannels / groups;
        int kk = spec.KernelH * spec.KernelW, k = cg * kk;
        int kpad = (k + ConvGemmKernels.TileK - 1) / ConvGemmKernels.TileK * ConvGemmKernels.TileK;
        int mpad = (mg + ConvGemmKernels.TileM - 1) / ConvGemmKernels.TileM * ConvGemmKernels.TileM;
        var packed = new float[checked((long)groups * kpad * mpad)];
        for (int g = 0; g < groups; g++)
            for (int m = 0; m < mg; m++)
                for (int r = 0; r < k; r++)
                    packed[((long)g * kpad + r) * mpad + m] = weight[(g * mg + m) * k + r];
        var kTab = new int[kpad];
        for (int r = 0; r < kpad; r++)
        {
            if (r >= k)
            {
                kTab[r] = -1;
                continue;
            }
            int ci = r / kk, ky = r % kk / spec.KernelW, kx = r % spec.KernelW;
            kTab[r] = (ci << 16) | (ky * spec.DilationH << 8) | (kx * spec.DilationW);
        }
        return (packed, kTab, kpad, mpad);
    }

    /// <inheritdoc/>
    public void Conv2d(IPreparedConv conv, Tensor x, Tensor y, Tensor? residual = null, bool relu = false)
    {
        var (n, h, w, oh, ow) = OpChecks.Conv2d(this, conv, x, y, residual);
        if (conv is not PreparedConv pc || !ReferenceEquals(pc.Owner, this))
            throw new ArgumentException($"conv2d: the prepared convolution was not made by this backend ({Device.Id})");
        Count("conv2d", x);
        Count("conv2d", y);
        if (n == 0) return;
        var s = pc.Spec;
        var p = new ConvParams
        {
            N = n,
            Cin = s.InChannels,
            H = h,
            W = w,
            Cout = s.OutChannels,
            OH = oh,
            OW = ow,
            KH = s.KernelH,
            KW = s.KernelW,
            SH = s.StrideH,
            SW = s.StrideW,
            PH = s.PadH,
            PW = s.PadW,
            DH = s.DilationH,
            DW = s.DilationW,
            Groups = s.Groups,
            Cg = s.InChannels / s.Groups,
            Mg = s.OutChannels / s.Groups,
            Kpad = pc.Kpad,
            Mpad = pc.Mpad,
            HasBias = pc.Bias is null ? 0 : 1,
            HasScale = pc.Scale is null ? 0 : 1,
            HasResidual = residual is null ? 0 : 1,
            Relu = relu ? 1 : 0,
        };
        var xv = Dev("conv2d", x).View<float>();
        var yv = Dev("conv2d", y).View<float>();
        var bv = pc.Bias?.View<float>() ?? ArrayView<float>.Empty;
        var sv = pc.Scale?.View<float>() ?? ArrayView<float>.Empty;
        var rv = residual is null ? ArrayView<float>.Empty : Dev("conv2d", residual).View<float>();
        if (pc.Path == ConvPath.Gemm)
        {
            int tilesN = (oh * ow + ConvGemmKernels.TileN - 1) / ConvGemmKernels.TileN;
            var config = new KernelConfig(new Index3D(tilesN, pc.Mpad / ConvGemmKernels.TileM, n * s.Groups), new Index3D(ConvGemmKernels.Threads, 1, 1));
            (_convGemm ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams>(
                ConvGemmKernels.Gemm))(config, xv, pc.Weight.View<float>(), pc.KTab!.View<int>(), bv, sv, rv, yv, p);
        }
        else
        {
            (_convDirect ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams>(
                ConvKernels.Direct))(Stride(y.Length), xv, pc.Weight.View<float>(), bv, sv, rv, yv, p);
        }
    }
}
