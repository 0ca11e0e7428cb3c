namespace CondInst.Kernels;

/// <summary>
/// A stride-2 convolution as one stride-1 convolution over the input's four phases (space to depth): phase
/// (py, px) is the image of pixels x[c, 2i + py, 2j + px], stored as channel (2·py + px)·Cin + c of a
/// ceil(H/2) x ceil(W/2) tensor (zero where 2i + py or 2j + px falls outside). Tap ky of the original kernel reads
/// phase py = (ky - PadH) mod 2 at row i = oy + d, d = (ky - PadH - py) / 2, so the new kernel has one tap per d in
/// [floor(-PadH/2), floor((KH-1-PadH)/2)] and top padding -floor(-PadH/2); taps a phase lacks are zero. For the 7x7
/// stem that is a 4x4 kernel over 12 channels: 31 % more multiply-adds than 7x7 over 3, but the im2col packing
/// reads 8 consecutive input pixels per load instead of gathering every other one, and the packing, not the GEMM,
/// was the stem's missing time (benchmarks/RESULTS.md, kernel table).
/// </summary>
internal sealed unsafe class ConvPhases : IParallelWork
{
    private float* _x, _xs;
    private int _cin, _h, _w, _hp, _wp;

    /// <summary>
    /// Whether <paramref name="s"/> runs through its phases: stride 2, no dilation or groups, a kernel of 5 or more
    /// and at most 4 input channels (the stem; with many channels the packing is a smaller share and the extra
    /// zero taps would cost more than they save).
    /// </summary>
    public static bool Applies(in ConvSpec s) =>
        s is { StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1, Groups: 1 } && s.KernelH >= 5 && s.KernelW >= 5 && s.InChannels <= 4;

    /// <summary>The stride-1 convolution over the phases.</summary>
    public static ConvSpec Spec(in ConvSpec s)
    {
        var (kh, ph) = Taps(s.KernelH, s.PadH);
        var (kw, pw) = Taps(s.KernelW, s.PadW);
        return new ConvSpec(4 * s.InChannels, s.OutChannels, kh, kw, 1, 1, ph, pw);
    }

    // Taps of the phase kernel along one axis and its padding: d from floor(-p/2) to floor((k-1-p)/2).
    private static (int Taps, int Pad) Taps(int k, int p)
    {
        int dMin = FloorDiv2(-p), dMax = FloorDiv2(k - 1 - p);
        return (dMax - dMin + 1, -dMin);
    }

    private static int FloorDiv2(int v) => v >> 1;

    /// <summary>The phase kernel's weights [Cout, 4·Cin, KH', KW'] from the original [Cout, Cin, KH, KW].</summary>
    public static float[] Weights(in ConvSpec s, ReadOnlySpan<float> weight)
    {
        var p = Spec(s);
        var wp = new float[p.WeightCount];
        int cin = s.InChannels;
        for (int o = 0; o < s.OutChannels; o++)
            for (int py = 0; py < 2; py++)
                for (int px = 0; px < 2; px++)
                    for (int c = 0; c < cin; c++)
                        for (int a = 0; a < p.KernelH; a++)
                        {
                            int ky = 2 * (a - p.PadH) + s.PadH + py;
                            if ((uint)ky >= (uint)s.KernelH) continue;
                            for (int b = 0; b < p.KernelW; b++)
                            {
                                int kx = 2 * (b - p.PadW) + s.PadW + px;
                                if ((uint)kx >= (uint)s.KernelW) continue;
                                int ci = (2 * py + px) * cin + c;
                                wp[((o * p.InChannels + ci) * p.KernelH + a) * p.KernelW + b] = weight[((o * cin + c) * s.KernelH + ky) * s.KernelW + kx];
                            }
                        }
        return wp;
    }

    /// <summary>Phase image size: ceil(H/2) x ceil(W/2).</summary>
    public static (int Hp, int Wp) Size(int h, int w) => ((h + 1) / 2, (w + 1) / 2);

    /// <summary>Writes the phases of n images x [n, cin, h, w] to xs [n, 4·cin, hp, wp], one plane per work item.</summary>
    public void Split(float* x, float* xs, int n, int cin, int h, int w)
    {
        _x = x;
        _xs = xs;
        (_cin, _h, _w) = (cin, h, w);
        (_hp, _wp) = Size(h, w);
        CpuWorkers.Shared.For(n * 4 * cin, this);
    }

    /// <inheritdoc/>
    public void Run(int item)
    {
        int b = item / (4 * _cin), ci = item % (4 * _cin), phase = ci / _cin, c = ci % _cin, py = phase >> 1, px = phase & 1;
        float* src = _x + ((long)b * _cin + c) * _h * _w;
        float* dst = _xs + (long)item * _hp * _wp;
        for (int i = 0; i < _hp; i++)
        {
            int y = 2 * i + py;
            float* d = dst + (long)i * _wp;
            if (y >= _h)
            {
                new Span<float>(d, _wp).Clear();
                continue;
            }
            float* r = src + (long)y * _w + px;
            int full = (_w - px + 1) / 2; // columns 2j + px inside the row
            for (int j = 0; j < full; j++) d[j] = r[2 * j];
            for (int j = full; j < _wp; j++) d[j] = 0f;
        }
    }
}
