namespace CondInst.Kernels.Tests.Reference;

public sealed partial class ReferenceBackend
{
    // Pillow's Image.resize(size, BILINEAR) on 8-bit channels, written from its algorithm: each axis is a convolution
    // with the triangle filter tri(t) = max(0, 1 - |t|) stretched by the downscale factor (antialiasing), weights
    // normalised to sum 1 and rounded to 22 fractional bits; the horizontal pass runs first into an 8-bit image,
    // then the vertical pass; an axis whose size does not change is not filtered at all.
    private const int PillowBits = 22;

    // For each output index: the first source index and the fixed-point weights of the consecutive sources.
    private static (int First, long[] Weights)[] PillowAxis(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double stretch = scale > 1.0 ? scale : 1.0;
        double support = stretch; // the triangle reaches 1 to each side, stretched
        var taps = new (int, long[])[outSize];
        for (int o = 0; o < outSize; o++)
        {
            double centre = (o + 0.5) * scale;
            int first = Math.Max((int)(centre - support + 0.5), 0);
            int end = Math.Min((int)(centre + support + 0.5), inSize);
            var raw = new double[Math.Max(end - first, 0)];
            double total = 0;
            for (int i = first; i < end; i++)
            {
                // Distance of source pixel i's centre (i + 0.5) from the output's centre, in filter units (Pillow
                // multiplies by the reciprocal of the stretch).
                double t = Math.Abs((i - centre + 0.5) * (1.0 / stretch));
                raw[i - first] = t < 1.0 ? 1.0 - t : 0.0;
                total += raw[i - first];
            }
            var fixedPoint = new long[raw.Length];
            for (int k = 0; k < raw.Length; k++)
            {
                double wgt = total != 0.0 ? raw[k] / total : raw[k];
                double scaled = wgt * (1L << PillowBits);
                fixedPoint[k] = (long)(scaled < 0 ? scaled - 0.5 : scaled + 0.5); // half away from zero, then truncate
            }
            taps[o] = (first, fixedPoint);
        }
        return taps;
    }

    // Σ weight·sample + one half, in fixed point, back to a byte clamped to [0, 255].
    private static byte PillowPixel(long acc)
    {
        long v = (acc + (1L << (PillowBits - 1))) >> PillowBits;
        return (byte)Math.Clamp(v, 0, 255);
    }

    public override void ResizePillowBilinear(Tensor x, Tensor y)
    {
        int c = OpChecks.Resize(this, x, y);
        int h = x.Dim(0), w = x.Dim(1), oh = y.Dim(0), ow = y.Dim(1);
        byte[] img = Bs(x).ToArray();
        int cur = w;
        if (ow != w)
        {
            var axis = PillowAxis(w, ow);
            var next = new byte[h * ow * c];
            for (int r = 0; r < h; r++)
                for (int o = 0; o < ow; o++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        long acc = 0;
                        for (int k = 0; k < axis[o].Weights.Length; k++) acc += img[(r * w + axis[o].First + k) * c + ch] * axis[o].Weights[k];
                        next[(r * ow + o) * c + ch] = PillowPixel(acc);
                    }
            img = next;
            cur = ow;
        }
        if (oh != h)
        {
            var axis = PillowAxis(h, oh);
            var next = new byte[oh * cur * c];
            for (int o = 0; o < oh; o++)
                for (int col = 0; col < cur; col++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        long acc = 0;
                        for (int k = 0; k < axis[o].Weights.Length; k++) acc += img[((axis[o].First + k) * cur + col) * c + ch] * axis[o].Weights[k];
                        next[(o * cur + col) * c + ch] = PillowPixel(acc);
                    }
            img = next;
        }
        img.CopyTo(Bs(y));
    }

    public override void NormalizePad(Tensor x, Tensor y, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, bool reverseChannels)
    {
        OpChecks.NormalizePad(this, x, y, mean, std);
        int h = x.Dim(0), w = x.Dim(1), ph = y.Dim(2), pw = y.Dim(3);
        var xs = Bs(x);
        var ys = Fs(y);
        for (int c = 0; c < 3; c++)
        {
            int sc = reverseChannels ? 2 - c : c;
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++)
                    ys[(c * ph + i) * pw + j] = i < h && j < w ? ((float)xs[(i * w + j) * 3 + sc] - mean[c]) / std[c] : 0f;
        }
    }
}
