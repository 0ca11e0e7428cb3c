namespace CondInst.Kernels.Tests.Reference;

public sealed partial class ReferenceBackend
{
    // Two-pass mean and biased variance in double per (image, group).
    public override void GroupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, bool relu, Tensor y)
    {
        OpChecks.GroupNorm(this, x, gamma, beta, groups, y);
        int n = x.Dim(0), c = x.Dim(1), hw = x.Dim(2) * x.Dim(3);
        var xs = F(x);
        var g = F(gamma);
        var bt = F(beta);
        var ys = Fs(y);
        int cpg = c / groups;
        for (int b = 0; b < n; b++)
            for (int gi = 0; gi < groups; gi++)
            {
                int start = (b * c + gi * cpg) * hw, count = cpg * hw;
                double sum = 0;
                for (int i = 0; i < count; i++) sum += xs[start + i];
                double mean = count == 0 ? 0 : sum / count;
                double sq = 0;
                for (int i = 0; i < count; i++) sq += (xs[start + i] - mean) * (xs[start + i] - mean);
                double var = count == 0 ? 0 : sq / count;
                double inv = 1.0 / Math.Sqrt(var + eps);
                for (int i = 0; i < count; i++)
                {
                    int ch = gi * cpg + i / hw;
                    float v = (float)((xs[start + i] - mean) * inv * g[ch] + bt[ch]);
                    ys[start + i] = relu ? MathF.Max(v, 0f) : v;
                }
            }
    }

    public override void ChannelAffine(Tensor x, Tensor scale, Tensor shift, bool relu, Tensor y)
    {
        OpChecks.PerChannel("channel_affine", this, x, scale, shift, y);
        int n = x.Dim(0), c = x.Dim(1), hw = x.Dim(2) * x.Dim(3);
        var xs = F(x);
        var sc = F(scale);
        var sh = F(shift);
        var ys = Fs(y);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < hw; i++)
                {
                    int k = (b * c + ch) * hw + i;
                    float v = xs[k] * sc[ch] + sh[ch];
                    ys[k] = relu ? MathF.Max(v, 0f) : v;
                }
    }
}
