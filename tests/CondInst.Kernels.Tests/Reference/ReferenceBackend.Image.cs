namespace CondInst.Kernels.Tests.Reference;

public sealed partial class ReferenceBackend
{
    // Pillow: horizontal pass into a uint8 intermediate, then vertical; an axis of unchanged size is skipped.
    public override void ResizePillowBilinear(Tensor x, Tensor y)
    {
        int c = OpChecks.Resize(this, x, y);
        int h = x.Dim(0), w = x.Dim(1), oh = y.Dim(0), ow = y.Dim(1);
        byte[] src = Bs(x).ToArray();
        if (ow != w)
        {
            var f = PillowResample.Create(w, ow);
            var tmp = new byte[h * ow * c];
            for (int r = 0; r < h; r++)
                for (int ox = 0; ox < ow; ox++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        int acc = 1 << (PillowResample.PrecisionBits - 1);
                        for (int k = 0; k < f.Bounds[2 * ox + 1]; k++)
                            acc += src[(r * w + f.Bounds[2 * ox] + k) * c + ch] * f.Weights[ox * f.Taps + k];
                        tmp[(r * ow + ox) * c + ch] = PillowResample.Clip8(acc);
                    }
            src = tmp;
        }
        if (oh != h)
        {
            var f = PillowResample.Create(h, oh);
            var tmp = new byte[oh * ow * c];
            for (int oy = 0; oy < oh; oy++)
                for (int col = 0; col < ow; col++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        int acc = 1 << (PillowResample.PrecisionBits - 1);
                        for (int k = 0; k < f.Bounds[2 * oy + 1]; k++)
                            acc += src[((f.Bounds[2 * oy] + k) * ow + col) * c + ch] * f.Weights[oy * f.Taps + k];
                        tmp[(oy * ow + col) * c + ch] = PillowResample.Clip8(acc);
                    }
            src = tmp;
        }
        src.CopyTo(Bs(y));
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
