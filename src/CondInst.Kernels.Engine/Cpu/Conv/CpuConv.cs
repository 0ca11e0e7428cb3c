namespace CondInst.Kernels;

/// <summary>
/// A convolution prepared for the CPU backend: weights (times the per-channel scale) packed into the
/// micro-kernel's A panels, per group. Layout: A[((g·MPanels + mp)·K + k)·MR + r] = w[g·Mg + mp·MR + r, k]·scale,
/// zero for rows past Mg, with K = (InChannels/Groups)·KernelH·KernelW in the weight tensor's (ci, ky, kx) order.
/// Bias is padded the same way: Bias[(g·MPanels + mp)·MR + r].
/// <para>
/// Weight forms: the GEMM panels are made at preparation; a Winograd form (F(2x2) 1.78x, F(4x4) 4x the panels) on
/// first use at its tile size. A convolution that runs again at the size and tile of its first call, with no other
/// size or algorithm in between, is a one-form convolution (all but the head's, which runs at five pyramid levels):
/// its GEMM panels are then dropped (<see cref="Used"/>). Should a dropped form be needed later (another image size),
/// the panels are remade from the Winograd form held, by the exact inverse of G in double; the weights then differ
/// from the originals by the Winograd form's rounding (about one float ulp of the kernel's largest weight).
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

    // The first call's output size and tile (tile 0: GEMM), and whether any later call differed from it.
    private int _firstOh = -1, _firstOw, _firstTile;
    private bool _varied;

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

    /// <summary>Bytes of prepared weights held now: the forms made and not dropped, and the biases.</summary>
    internal long PreparedBytes
    {
        get
        {
            lock (_lock)
                return (_packed?.ByteLength ?? 0) + (_winograd2?.ByteLength ?? 0) + (_winograd4?.ByteLength ?? 0) + (_bias?.ByteLength ?? 0);
        }
    }

    /// <summary>
    /// Records a call at output size <paramref name="oh"/>x<paramref name="ow"/> with Winograd tile
    /// <paramref name="tile"/> (0: GEMM) and makes sure the weight form it needs exists; drops the GEMM panels of a
    /// one-form Winograd convolution on its second call (see the class comment).
    /// </summary>
    internal void Used(int tile, int oh, int ow)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            bool first = _firstOh < 0;
            if (first) (_firstOh, _firstOw, _firstTile) = (oh, ow, tile);
            else if (oh != _firstOh || ow != _firstOw || tile != _firstTile) _varied = true;
            if (tile == 0)
            {
                EnsurePanels();
                return;
            }
            EnsureWinograd(tile);
            if (!first && !_varied && _packed != null)
            {
                _packed.Dispose();
                _packed = null;
            }
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
        EnsurePanels();
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

    // Remakes dropped GEMM panels from a Winograd form: g = L·U·L^T with L a left inverse of G (L·G = I).
    private void EnsurePanels()
    {
        if (_packed != null) return;
        int m = _winograd2 != null ? 2 : 4, mr = GemmKernel.MR, cin = Spec.InChannels, alpha = m + 2;
        float* u = (float*)(m == 2 ? _winograd2! : _winograd4!).Pointer;
        long xiStride = (long)MPanels * cin * mr;
        var buffer = new WeightBuffer(PanelBytes);
        float* a = (float*)buffer.Pointer;
        Span<double> tile = stackalloc double[alpha * alpha];
        Span<double> rows = stackalloc double[3 * alpha];
        Span<double> g = stackalloc double[3];
        for (int mp = 0; mp < MPanels; mp++)
            for (int r = 0; r < mr; r++)
                for (int c = 0; c < cin; c++)
                {
                    float* src = u + ((long)mp * cin + c) * mr + r;
                    for (int xi = 0; xi < alpha * alpha; xi++) tile[xi] = src[xi * xiStride];
                    for (int j = 0; j < alpha; j++)
                        Inverse(m, tile[j], tile[alpha + j], tile[2 * alpha + j], tile[3 * alpha + j],
                            m == 2 ? 0 : tile[4 * alpha + j], m == 2 ? 0 : tile[5 * alpha + j], rows, j, alpha);
                    float* panel = a + (long)mp * K * mr + r;
                    for (int i = 0; i < 3; i++)
                    {
                        var row = rows.Slice(i * alpha, alpha);
                        Inverse(m, row[0], row[1], row[2], row[3], m == 2 ? 0 : row[4], m == 2 ? 0 : row[5], g, 0, 1);
                        for (int k = 0; k < 3; k++) panel[(long)(c * 9 + 3 * i + k) * mr] = (float)g[k];
                    }
                }
        _packed = buffer;
    }

    // The three kernel taps (g0, g1, g2) from the transformed values of one line, into dst[offset + k·step].
    // F(2x2): u = (g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2). F(4x4), Winograd4Transforms.Column: u0 = g0/4,
    // u1 - u2 = -g1/3 and u3 - u4 = g1/6, u5 = g2; the two estimates of g1 are averaged.
    private static void Inverse(int m, double u0, double u1, double u2, double u3, double u4, double u5, Span<double> dst, int offset, int step)
    {
        if (m == 2)
        {
            dst[offset] = u0;
            dst[offset + step] = u1 - u2;
            dst[offset + 2 * step] = u3;
        }
        else
        {
            dst[offset] = 4 * u0;
            dst[offset + step] = (3 * (u2 - u1) + 6 * (u3 - u4)) / 2;
            dst[offset + 2 * step] = u5;
        }
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

    /// <summary>A panel mp of group g (K·MR floats), after <see cref="Used"/> with tile 0 (or while still held).</summary>
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
    /// <summary>Winograd for 3x3 stride-1 convolutions with enough output tiles, else the im2col GEMM.</summary>
    Auto,

    /// <summary>Always the packed im2col GEMM.</summary>
    Gemm,

    /// <summary>Winograd F(2x2, 3x3) whenever the convolution allows it.</summary>
    Winograd2,

    /// <summary>Winograd F(4x4, 3x3) whenever the convolution allows it.</summary>
    Winograd4,
}
