namespace CondInst.Kernels.Tests.Reference;

public sealed partial class ReferenceBackend
{
    private sealed record RefConv(ConvSpec Spec, float[] Weight, float[] Bias, float[] Scale) : IPreparedConv
    {
        public bool HasBias => Bias.Length > 0;

        public void Dispose()
        {
        }
    }

    public override IPreparedConv PrepareConv(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> scale)
    {
        OpChecks.ConvWeights(spec, weight, bias, scale);
        return new RefConv(spec, weight.ToArray(), bias.ToArray(), scale.ToArray());
    }

    // Direct convolution: for each output element, a double-precision sum over (input channel of its group, ky, kx).
    public override void Conv2d(IPreparedConv conv, Tensor x, Tensor y, Tensor? residual = null, bool relu = false)
    {
        var c = (RefConv)conv;
        var s = c.Spec;
        var (n, h, w, oh, ow) = OpChecks.Conv2d(this, conv, x, y, residual);
        var xs = F(x);
        var rs = residual is null ? null : F(residual);
        var ys = Fs(y);
        int icg = s.InChannels / s.Groups, ocg = s.OutChannels / s.Groups;
        for (int b = 0; b < n; b++)
            for (int o = 0; o < s.OutChannels; o++)
            {
                int g = o / ocg;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double acc = 0;
                        for (int ic = 0; ic < icg; ic++)
                        {
                            int ci = g * icg + ic;
                            for (int ky = 0; ky < s.KernelH; ky++)
                            {
                                int iy = oy * s.StrideH - s.PadH + ky * s.DilationH;
                                if (iy < 0 || iy >= h) continue;
                                for (int kx = 0; kx < s.KernelW; kx++)
                                {
                                    int ix = ox * s.StrideW - s.PadW + kx * s.DilationW;
                                    if (ix < 0 || ix >= w) continue;
                                    acc += (double)c.Weight[((o * icg + ic) * s.KernelH + ky) * s.KernelW + kx]
                                         * xs[((b * s.InChannels + ci) * h + iy) * w + ix];
                                }
                            }
                        }
                        float v = (float)acc;
                        if (c.Scale.Length > 0) v *= c.Scale[o];
                        if (c.Bias.Length > 0) v += c.Bias[o];
                        int yi = ((b * s.OutChannels + o) * oh + oy) * ow + ox;
                        if (rs != null) v += rs[yi];
                        if (relu) v = MathF.Max(v, 0f);
                        ys[yi] = v;
                    }
            }
    }
}
