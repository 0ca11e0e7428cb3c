namespace CondInst.Kernels;

/// <summary>
/// A convolution prepared for the CPU backend: weights (times the per-channel scale) packed into the
/// micro-kernel's A panels, per group. Layout: A[((g·MPanels + mp)·K + k)·MR + r] = w[g·Mg + mp·MR + r, k]·scale,
/// zero for rows past Mg, with K = (InChannels/Groups)·KernelH·KernelW in the weight tensor's (ci, ky, kx) order.
/// Bias is padded the same way: Bias[(g·MPanels + mp)·MR + r].
/// <para>
/// Weight forms: the GEMM panels are made at preparation; a Winograd form (F(2x2) 1.78x, F(4x4) 4x the panels) on
/// first use at its tile size. The panels are never dropped: they are the only exact copy of the weights, and a form
/// remade from a Winograd form differs by its rounding, which would make a model's results depend on the image sizes
/// it saw before (a fresh model and a long-running one must give the same bits).
/// </para>
/// </summary>
internal sealed unsafe class CpuConv : IPreparedConv
{
    private readonly object _lock = new();
    private WeightBuffer? _packed;
    private WeightBuffer? _winograd2;
    private WeightBuffer? _winograd4;
    private WeightBuffer? _bias;
    private bool _disposed;

    public CpuConv(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> scale)
    {
        Spec = spec;
        HasBias = !bias.IsEmpty;
        Mg = spec.OutChannels / spec.Groups;
        K = spec.InChannels / spec.Groups * spec.KernelH * spec.KernelW;
        MPanels = (Mg + GemmKernel.MR - 1) / GemmKernel.MR;
        int mr = GemmKernel.MR;
        _packed = new WeightBuffer(PanelBytes);
        _bias = new WeightBuffer((long)spec.Groups * MPanels * mr * sizeof(float));
        float* a = (float*)_packed.Pointer;
        float* bp = (float*)_bias.Pointer;
        for (int g = 0; g < spec.Groups; g++)
            for (int mp = 0; mp < MPanels; mp++)
            {
                float* panel = a + (g * MPanels + mp) * (long)K * mr;
                for (int r = 0; r < mr; r++)
                {
                    int m = mp * mr + r, o = g * Mg + m;
                    bool real = m < Mg;
                    float s = real && !scale.IsEmpty ? scale[o] : 1f;
                    bp[(g * MPanels + mp) * mr + r] = real && HasBias ? bias[o] : 0f;
                    for (int k = 0; k < K; k++)
                        panel[(long)k * mr + r] = real ? weight[(int)((long)o * K + k)] * s : 0f;
                }
            }
        HasWinograd = spec is { KernelH: 3, KernelW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Groups: 1 } && ConvWinograd.Supported;
    }

    private long PanelBytes => Math.Max(1, Spec.Groups * (long)MPanels * K * GemmKernel.MR) * sizeof(float);

    private long WinogradBytes(int m) => (long)(m + 2) * (m + 2) * MPanels * Spec.InChannels * GemmKernel.MR * sizeof(float);

    /// <summary>Bytes of prepared weights held now: the panels, the Winograd forms made, and the biases.</summary>
    internal long PreparedBytes
    {
        get
        {
            lock (_lock)
                return (_packed?.ByteLength ?? 0) + (_winograd2?.ByteLength ?? 0) + (_winograd4?.ByteLength ?? 0) + (_bias?.ByteLength ?? 0);
        }
    }

    /// <summary>Makes sure the weight form of Winograd tile <paramref name="tile"/> (0: GEMM, whose panels always exist) is there.</summary>
    internal void Used(int tile)
    {
        if (tile == 0) return;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            EnsureWinograd(tile);
        }
    }

    /// <summary>
    /// Makes the transformed weights of F(m x m, 3x3) if they are not there yet:
    /// U[ξ][mp][c][r] = (G·g·G^T)[ξ] of kernel (o = mp·MR + r, c), zero rows past the output channels. g is read
    /// back from the GEMM panels, where the per-channel scale is already applied.
    /// </summary>
    private void EnsureWinograd(int m)
    {
        if (!HasWinograd) throw new InvalidOperationException("conv2d: Winograd needs a 3x3 stride-1 convolution without dilation or groups");
        if ((m == 2 ? _winograd2 : _winograd4) != null) return;
        int mr = GemmKernel.MR, cin = Spec.InChannels, elements = (m + 2) * (m + 2);
        var buffer = new WeightBuffer(WinogradBytes(m));
        float* u = (float*)buffer.Pointer;
        long xiStride = (long)MPanels * cin * mr;
        new Span<float>(u, checked((int)(elements * xiStride))).Clear();
        Span<float> g = stackalloc float[9];
        for (int o = 0; o < Spec.OutChannels; o++)
        {
            int mp = o / mr, r = o % mr;
            float* panel = Panel(0, mp);
            for (int c = 0; c < cin; c++)
            {
                for (int k = 0; k < 9; k++) g[k] = panel[(long)(c * 9 + k) * mr + r];
                float* dst = u + ((long)mp * cin + c) * mr + r;
                if (m == 2) Winograd2Transforms.Kernel(g, 1f, dst, xiStride);
                else Winograd4Transforms.Kernel(g, 1.0, dst, xiStride);
            }
        }
        if (m == 2) _winograd2 = buffer;
        else _winograd4 = buffer;
    }

    /// <summary>Which algorithm <see cref="CpuBackend.Conv2d"/> uses; Auto picks by shape (tests force one).</summary>
    internal ConvAlgorithm Algorithm { get; set; }

    /// <summary>True when Winograd applies (3x3, stride 1, no dilation, one group) and the machine has AVX2 + FMA.</summary>
    public bool HasWinograd { get; }

    /// <summary>Transformed weight panel mp of element ξ of F(m x m, 3x3) (Cin·MR floats), after <see cref="Used"/>.</summary>
    public float* WinogradPanel(int m, int xi, int mp) =>
        (float*)((m == 2 ? _winograd2 : _winograd4) ?? throw new InvalidOperationException($"conv2d: no F({m}x{m}) Winograd weights for this convolution")).Pointer
        + ((long)xi * MPanels + mp) * Spec.InChannels * GemmKernel.MR;

    /// <inheritdoc/>
    public ConvSpec Spec { get; }

    /// <inheritdoc/>
    public bool HasBias { get; }

    /// <summary>Output channels per group (GEMM rows).</summary>
    public int Mg { get; }

    /// <summary>GEMM depth per group: (InChannels/Groups)·KernelH·KernelW.</summary>
    public int K { get; }

    /// <summary>Row panels of MR per group.</summary>
    public int MPanels { get; }

    /// <summary>Reusable Winograd job object.</summary>
    internal ConvWinograd? WinogradJob { get; set; }

    /// <summary>Reusable job object (the backend is not thread-safe, so one call uses it at a time).</summary>
    internal ConvGemm? Job { get; set; }

    /// <summary>Reusable job object of the phase-split GEMM.</summary>
    internal ConvPhaseGemm? PhaseJob { get; set; }

    /// <summary>A panel mp of group g (K·MR floats).</summary>
    public float* Panel(int g, int mp) =>
        (float*)(_packed ?? throw new ObjectDisposedException(nameof(CpuConv))).Pointer + (g * MPanels + mp) * (long)K * GemmKernel.MR;

    /// <summary>The MR padded biases of panel mp of group g.</summary>
    public float* Bias(int g, int mp) =>
        (float*)(_bias ?? throw new ObjectDisposedException(nameof(CpuConv))).Pointer + (g * MPanels + mp) * GemmKernel.MR;

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _packed?.Dispose();
            _bias?.Dispose();
            _winograd2?.Dispose();
            _winograd4?.Dispose();
            _winograd2 = null;
            _winograd4 = null;
            _packed = null;
            _bias = null;
        }
    }
}

/// <summary>Convolution algorithms of the CPU backend.</summary>
internal enum ConvAlgorithm
{
    /// <summary>
    /// Winograd for 3x3 stride-1 convolutions with enough output tiles, the phase-split GEMM for stride-2 ones with
    /// few input channels, the im2col GEMM with B packed from column phases for 3x3 stride-2 ones over 128-256 input
    /// channels, else the im2col GEMM.
    /// </summary>
    Auto,

    /// <summary>Always the packed im2col GEMM.</summary>
    Gemm,

    /// <summary>Winograd F(2x2, 3x3) whenever the convolution allows it.</summary>
    Winograd2,

    /// <summary>Winograd F(4x4, 3x3) whenever the convolution allows it.</summary>
    Winograd4,

    /// <summary>
    /// The phase-split GEMM (<see cref="ConvPhaseGemm"/>) whenever the convolution allows it, else the im2col GEMM
    /// packing B from column phases (<see cref="ConvPhasePack"/>) where that applies, else the plain im2col GEMM.
    /// </summary>
    PhaseGemm,
}
