namespace CondInst.Kernels;

/// <summary>
/// Convolution as a blocked, packed GEMM per image and group: C[Mg, N] = A[Mg, K]·B[K, N] with A the prepacked
/// weights (<see cref="CpuConv"/>), B the im2col matrix packed block by block (<see cref="ConvPack"/>) and C the
/// NCHW output rows (row stride N = OH·OW). Work items are (image, group, column block, row split); each packs
/// its own B blocks, so threads never wait on each other. With <c>phase</c> set (stride 2 across, see
/// <see cref="ConvPhasePack"/>) the B blocks are packed from even/odd column phases instead: same values, same bits.
/// </summary>
internal sealed unsafe class ConvGemm : IParallelWork
{
    /// <summary>
    /// Depth of one pass: a 16-column B panel of KC rows (32 KiB, Zen3's L1) is reused by every row panel of A.
    /// Deep passes mean fewer read-modify-write rounds over C, which matter once a column block of C outgrows L2
    /// (measured: 512 beats 256 on 1x1 512->2048, 3x3/s2 and the stem).
    /// </summary>
    public const int KC = 512;

    /// <summary>Rows of A kept hot per block: MC·KC·4 bytes = 240 KiB, within Zen3's 512 KiB L2.</summary>
    public const int MC = 120;

    /// <summary>Largest column block per work item.</summary>
    public const int NCMax = 256;

    /// <summary>Narrowest column block made to get more work items.</summary>
    public const int MinNC = 64;

    private const int MR = GemmKernel.MR, NR = GemmKernel.NR;

    private CpuConv? _conv;
    private float* _x, _y, _res;
    private bool _relu, _phase;
    private ConvGeometry _geo;
    private int _cin, _colBlocks, _nc, _mSplits, _panelsPerSplit;

    /// <summary>
    /// Runs the convolution of n images x [n, Cin, H, W] into y [n, Cout, OH, OW] on all cores; with
    /// <paramref name="phase"/>, packing B from column phases (<see cref="ConvPhasePack.Fits"/> must hold).
    /// </summary>
    public void Run(CpuConv conv, float* x, float* y, float* residual, bool relu, int n, int h, int w, int oh, int ow, bool phase = false)
    {
        var s = conv.Spec;
        if (phase && !ConvPhasePack.Fits(s)) throw new InvalidOperationException($"conv2d: phase packing does not apply to {s}");
        _phase = phase;
        _conv = conv;
        _x = x;
        _y = y;
        _res = residual;
        _relu = relu;
        _cin = s.InChannels;
        int nPix = oh * ow;
        _geo = new ConvGeometry(h, w, ow, nPix, s.KernelH, s.KernelW, s.StrideH, s.StrideW, s.PadH, s.PadW, s.DilationH, s.DilationW);
        int threads = CpuWorkers.Shared.Threads;
        // Column blocks: at least 8 per thread where columns allow (down to 64 wide; narrower blocks cost no extra
        // packing), so that a worker the OS preempts mid-item delays the call little; then a multiple of the thread
        // count, so that the cores finish together.
        int blocks = (nPix + NCMax - 1) / NCMax;
        int perImage = n * s.Groups, wanted = 8 * threads;
        if (threads > 1 && blocks * perImage < wanted)
            blocks = Math.Max(blocks, Math.Min((nPix + MinNC - 1) / MinNC, (wanted + perImage - 1) / perImage));
        if (blocks > 1) blocks = (blocks + threads - 1) / threads * threads;
        _nc = ((nPix + blocks - 1) / blocks + NR - 1) / NR * NR;
        _colBlocks = (nPix + _nc - 1) / _nc;
        // Small images: also split the output channels, so that every core has work.
        int outer = n * s.Groups * _colBlocks;
        _mSplits = outer >= 2 * threads ? 1 : Math.Min(conv.MPanels, (2 * threads + outer - 1) / outer);
        _panelsPerSplit = (conv.MPanels + _mSplits - 1) / _mSplits;
        _mSplits = (conv.MPanels + _panelsPerSplit - 1) / _panelsPerSplit;
        try
        {
            CpuWorkers.Shared.For(outer * _mSplits, this);
        }
        finally
        {
            _conv = null;
        }
    }

    /// <inheritdoc/>
    public void Run(int item)
    {
        var conv = _conv!;
        var s = conv.Spec;
        var geo = _geo;
        int ms = item % _mSplits;
        item /= _mSplits;
        int jb = item % _colBlocks;
        item /= _colBlocks;
        int g = item % s.Groups, b = item / s.Groups;
        int nPix = geo.N, mg = conv.Mg, kTotal = conv.K;
        int icg = _cin / s.Groups;
        float* xg = _x + ((long)b * _cin + (long)g * icg) * geo.H * geo.W;
        long cOffset = ((long)b * s.OutChannels + (long)g * mg) * nPix;
        float* yg = _y + cOffset;
        float* rg = _res == null ? null : _res + cOffset;
        int j0 = jb * _nc, nc = Math.Min(_nc, nPix - j0), ncPad = (nc + NR - 1) / NR * NR, panels = ncPad / NR;
        int mp0 = ms * _panelsPerSplit, mp1 = Math.Min(conv.MPanels, mp0 + _panelsPerSplit);
        bool phase = _phase, pointwise = !phase && geo.IsPointwise;
        long phaseFloats = phase ? ConvPhasePack.ScratchFloats(j0, nc, geo) : 0;
        float* bBlock = CpuScratch.Floats((long)KC * ncPad + MR * NR + phaseFloats);
        float* tile = bBlock + (long)KC * ncPad;
        float* phases = tile + MR * NR;
        int* info = CpuScratch.Ints(phase ? ConvPhasePack.PlanInts(ncPad, geo) : ncPad / 4 + 3 * KC);
        int* ktab = info + ncPad / 4;
        if (phase) ConvPhasePack.Plan(info, j0, nc, ncPad, geo);
        else if (!pointwise) ConvPack.Chunks(info, j0, nc, ncPad, geo);
        var finish = TileStore.Finish | (_relu ? TileStore.Relu : 0);
        bool avx512 = GemmKernel.UseAvx512;
        for (int k0 = 0; k0 < kTotal; k0 += KC)
        {
            int kc = Math.Min(KC, kTotal - k0);
            if (phase) ConvPhasePack.Pack(bBlock, phases, xg, k0, kc, j0, nc, ncPad, info, geo);
            else if (pointwise) ConvPack.Pointwise(bBlock, xg, nPix, k0, kc, j0, nc, ncPad);
            else ConvPack.Im2col(bBlock, xg, k0, kc, j0 + nc, ncPad, info, ktab, geo);
            var mode = (k0 > 0 ? TileStore.Accumulate : TileStore.Overwrite) | (k0 + kc >= kTotal ? finish : 0);
            for (int ic = mp0; ic < mp1; ic += MC / MR)
            {
                int icEnd = Math.Min(mp1, ic + MC / MR);
                for (int p = 0; p < panels; p++)
                {
                    float* bp = bBlock + (long)p * kc * NR;
                    int col = j0 + p * NR, cols = Math.Min(NR, nPix - col);
                    for (int mp = ic; mp < icEnd; mp++)
                    {
                        float* a = conv.Panel(g, mp) + (long)k0 * MR;
                        float* bias = conv.Bias(g, mp);
                        int rows = Math.Min(MR, mg - mp * MR);
                        long cIndex = (long)mp * MR * nPix + col;
                        float* c = yg + cIndex;
                        float* r = rg == null ? null : rg + cIndex;
                        if (rows == MR && cols == NR)
                        {
                            if (avx512 && mp + 1 < icEnd && mg - (mp + 1) * MR >= MR)
                            {
                                // Two full row panels over the same B panel (AVX-512): the same bits as two 6x16 calls.
                                float* a2 = conv.Panel(g, mp + 1) + (long)k0 * MR;
                                GemmKernel.Kernel12x16(kc, a, a2, bp, c, nPix, mode, bias, conv.Bias(g, mp + 1), r);
                                mp++;
                            }
                            else
                            {
                                GemmKernel.Kernel6x16(kc, a, bp, c, nPix, mode, bias, r);
                            }
                        }
                        else
                        {
                            GemmKernel.Kernel6x16(kc, a, bp, tile, NR, TileStore.Overwrite, bias, null);
                            GemmKernel.StoreEdge(tile, rows, cols, c, nPix, mode, bias, r);
                        }
                    }
                }
            }
        }
    }
}
