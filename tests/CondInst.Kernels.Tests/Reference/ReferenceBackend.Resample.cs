namespace CondInst.Kernels.Tests.Reference;

public sealed partial class ReferenceBackend
{
    public override void MaxPool2d(Tensor x, int kernel, int stride, int padding, Tensor y)
    {
        OpChecks.MaxPool2d(this, x, kernel, stride, padding, y);
        int nc = x.Dim(0) * x.Dim(1), h = x.Dim(2), w = x.Dim(3), oh = y.Dim(2), ow = y.Dim(3);
        var xs = F(x);
        var ys = Fs(y);
        for (int p = 0; p < nc; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float m = float.NegativeInfinity;
                    for (int ky = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++)
                        {
                            int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) m = MathF.Max(m, xs[(p * h + iy) * w + ix]);
                        }
                    ys[(p * oh + oy) * ow + ox] = m;
                }
    }

    // PyTorch's nearest_idx: identity, exact 2x as a shift, else floor(dst * (float)in/out) clamped.
    internal static int NearestIndex(int dst, int inSize, int outSize)
    {
        if (outSize == inSize) return dst;
        if (outSize == 2 * inSize) return dst >> 1;
        float scale = (float)inSize / outSize;
        return Math.Min((int)MathF.Floor(dst * scale), inSize - 1);
    }

    public override void UpsampleNearest(Tensor x, Tensor y)
    {
        OpChecks.SameBatchAndChannels("upsample_nearest", this, x, y);
        int nc = x.Dim(0) * x.Dim(1), h = x.Dim(2), w = x.Dim(3), oh = y.Dim(2), ow = y.Dim(3);
        var xs = F(x);
        var ys = Fs(y);
        for (int p = 0; p < nc; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    ys[(p * oh + oy) * ow + ox] = xs[(p * h + NearestIndex(oy, h, oh)) * w + NearestIndex(ox, w, ow)];
    }

    // PyTorch's linear source index and weights for one axis.
    internal static (int I0, int I1, float W0, float W1) LinearTap(int dst, int inSize, int outSize, bool alignCorners)
    {
        float scale = alignCorners ? (outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f) : (float)inSize / outSize;
        float src = alignCorners ? scale * dst : MathF.Max(scale * (dst + 0.5f) - 0.5f, 0f);
        int i0 = (int)src;
        float l1 = Math.Clamp(src - i0, 0f, 1f);
        int i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
        return (i0, i1, 1f - l1, l1);
    }

    public override void UpsampleBilinear(Tensor x, Tensor y, bool alignCorners)
    {
        OpChecks.SameBatchAndChannels("upsample_bilinear", this, x, y);
        int nc = x.Dim(0) * x.Dim(1), h = x.Dim(2), w = x.Dim(3), oh = y.Dim(2), ow = y.Dim(3);
        var xs = F(x);
        var ys = Fs(y);
        for (int p = 0; p < nc; p++)
            for (int oy = 0; oy < oh; oy++)
            {
                var ty = LinearTap(oy, h, oh, alignCorners);
                for (int ox = 0; ox < ow; ox++)
                {
                    var tx = LinearTap(ox, w, ow, alignCorners);
                    int r0 = (p * h + ty.I0) * w, r1 = (p * h + ty.I1) * w;
                    float t0 = xs[r0 + tx.I0] * tx.W0 + xs[r0 + tx.I1] * tx.W1;
                    float t1 = xs[r1 + tx.I0] * tx.W0 + xs[r1 + tx.I1] * tx.W1;
                    ys[(p * oh + oy) * ow + ox] = t0 * ty.W0 + t1 * ty.W1;
                }
            }
    }

    // Literally mmdetection's aligned_bilinear: replicate-pad bottom/right by 1, bilinear align_corners=True to
    // (f·h+1, f·w+1), replicate-pad top/left by f/2, crop to (f·h, f·w); then the top-left part y asks for.
    public override void AlignedBilinear(Tensor x, int factor, Tensor y)
    {
        OpChecks.AlignedBilinear(this, x, factor, y);
        int nc = x.Dim(0) * x.Dim(1), h = x.Dim(2), w = x.Dim(3), oh = y.Dim(2), ow = y.Dim(3);
        var xs = F(x);
        var ys = Fs(y);
        if (factor == 1)
        {
            for (int p = 0; p < nc; p++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                        ys[(p * oh + oy) * ow + ox] = xs[(p * h + oy) * w + ox];
            return;
        }
        int ph = h + 1, pw = w + 1, ih = factor * h + 1, iw = factor * w + 1, shift = factor / 2;
        float Padded(int p, int i, int j) => xs[(p * h + Math.Min(i, h - 1)) * w + Math.Min(j, w - 1)];
        for (int p = 0; p < nc; p++)
            for (int oy = 0; oy < oh; oy++)
            {
                var ty = LinearTap(Math.Max(oy - shift, 0), ph, ih, alignCorners: true);
                for (int ox = 0; ox < ow; ox++)
                {
                    var tx = LinearTap(Math.Max(ox - shift, 0), pw, iw, alignCorners: true);
                    float t0 = Padded(p, ty.I0, tx.I0) * tx.W0 + Padded(p, ty.I0, tx.I1) * tx.W1;
                    float t1 = Padded(p, ty.I1, tx.I0) * tx.W0 + Padded(p, ty.I1, tx.I1) * tx.W1;
                    ys[(p * oh + oy) * ow + ox] = t0 * ty.W0 + t1 * ty.W1;
                }
            }
    }
}
