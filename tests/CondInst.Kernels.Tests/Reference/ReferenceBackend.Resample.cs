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

    // PyTorch's interpolate(mode='nearest', size=...): source row/column floor(dst · in/out) with the ratio taken in
    // float32 (no scale factor is passed), at most in - 1. The exact-2x and same-size shortcuts PyTorch takes give the
    // same indices, so the plain formula is the whole rule.
    internal static int[] NearestSources(int inSize, int outSize)
    {
        float ratio = (float)inSize / outSize;
        var src = new int[outSize];
        for (int d = 0; d < outSize; d++) src[d] = Math.Min((int)MathF.Floor(d * ratio), inSize - 1);
        return src;
    }

    public override void UpsampleNearest(Tensor x, Tensor y)
    {
        OpChecks.SameBatchAndChannels("upsample_nearest", this, x, y);
        int nc = x.Dim(0) * x.Dim(1), h = x.Dim(2), w = x.Dim(3), oh = y.Dim(2), ow = y.Dim(3);
        var xs = F(x);
        var ys = Fs(y);
        int[] rows = NearestSources(h, oh), cols = NearestSources(w, ow);
        for (int p = 0; p < nc; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    ys[(p * oh + oy) * ow + ox] = xs[(p * h + rows[oy]) * w + cols[ox]];
    }

    // One axis of PyTorch's interpolate(mode='bilinear'): the real source coordinate of each output index, in float32
    // as PyTorch computes it for float tensors. align_corners=True maps the end samples onto each other
    // (ratio (in-1)/(out-1), 0 for a single output); False maps pixel centres (ratio in/out, coordinate
    // (dst + 0.5)·ratio - 0.5, negative ones clamped to 0).
    private static float[] LinearSources(int inSize, int outSize, bool alignCorners)
    {
        var src = new float[outSize];
        for (int d = 0; d < outSize; d++)
        {
            if (alignCorners)
            {
                float ratio = outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f;
                src[d] = ratio * d;
            }
            else
            {
                float ratio = (float)inSize / outSize;
                src[d] = MathF.Max(ratio * (d + 0.5f) - 0.5f, 0f);
            }
        }
        return src;
    }

    // The value at real coordinate s along an axis of length n read through get: the samples at floor(s) and the
    // next one (the last sample repeats past the end), weighted (1 - frac, frac) as PyTorch does.
    private static float Lerp(float s, int n, Func<int, float> get)
    {
        int lo = Math.Min((int)s, n - 1);
        int hi = lo + 1 < n ? lo + 1 : lo;
        float frac = Math.Clamp(s - lo, 0f, 1f);
        return (1f - frac) * get(lo) + frac * get(hi);
    }

    // Bilinear resize of one h x w plane to oh x ow: per output pixel, lerp two source rows along x, then between them
    // along y (PyTorch's order of evaluation).
    private static float[] BilinearPlane(float[] plane, int h, int w, int oh, int ow, bool alignCorners)
    {
        float[] sy = LinearSources(h, oh, alignCorners), sx = LinearSources(w, ow, alignCorners);
        var o = new float[oh * ow];
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                o[oy * ow + ox] = Lerp(sy[oy], h, r => Lerp(sx[ox], w, c => plane[r * w + c]));
        return o;
    }

    public override void UpsampleBilinear(Tensor x, Tensor y, bool alignCorners)
    {
        OpChecks.SameBatchAndChannels("upsample_bilinear", this, x, y);
        int nc = x.Dim(0) * x.Dim(1), h = x.Dim(2), w = x.Dim(3), oh = y.Dim(2), ow = y.Dim(3);
        var xs = F(x);
        var ys = Fs(y);
        for (int p = 0; p < nc; p++)
            BilinearPlane(xs.AsSpan(p * h * w, h * w).ToArray(), h, w, oh, ow, alignCorners).CopyTo(ys.Slice(p * oh * ow, oh * ow));
    }

    // mmdetection's aligned_bilinear step by step, on whole planes: (1) replicate-pad one row at the bottom and one
    // column at the right, (2) bilinear align_corners=True to (f·h + 1) x (f·w + 1), (3) replicate-pad f/2 rows at
    // the top and f/2 columns at the left, (4) keep the first f·h rows and f·w columns; then the top-left part y
    // asks for. f = 1 returns x unchanged.
    public override void AlignedBilinear(Tensor x, int factor, Tensor y)
    {
        OpChecks.AlignedBilinear(this, x, factor, y);
        int nc = x.Dim(0) * x.Dim(1), h = x.Dim(2), w = x.Dim(3), oh = y.Dim(2), ow = y.Dim(3);
        var xs = F(x);
        var ys = Fs(y);
        for (int p = 0; p < nc; p++)
        {
            var plane = xs.AsSpan(p * h * w, h * w).ToArray();
            float[] result;
            int rw;
            if (factor == 1)
            {
                result = plane;
                rw = w;
            }
            else
            {
                int ph = h + 1, pw = w + 1;
                var padded = new float[ph * pw];
                for (int i = 0; i < ph; i++)
                    for (int j = 0; j < pw; j++) padded[i * pw + j] = plane[Math.Min(i, h - 1) * w + Math.Min(j, w - 1)];
                int ih = factor * h + 1, iw = factor * w + 1;
                var up = BilinearPlane(padded, ph, pw, ih, iw, alignCorners: true);
                int pad = factor / 2, sh = ih + pad, sw = iw + pad;
                var shifted = new float[sh * sw];
                for (int i = 0; i < sh; i++)
                    for (int j = 0; j < sw; j++) shifted[i * sw + j] = up[Math.Max(i - pad, 0) * iw + Math.Max(j - pad, 0)];
                result = shifted;
                rw = sw;
            }
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) ys[(p * oh + oy) * ow + ox] = result[oy * rw + ox];
        }
    }
}
