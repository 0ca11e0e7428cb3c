namespace CondInst.Kernels;

// Image preprocessing on uint8 HWC input. Pillow's resize in its own integer arithmetic (coefficients from
// PillowResample), horizontal pass into a uint8 intermediate, then vertical; rows split over the cores.
public sealed partial class CpuBackend
{
    private ImageJob? _image;

    /// <inheritdoc/>
    public override unsafe void ResizePillowBilinear(Tensor x, Tensor y)
    {
        int c = OpChecks.Resize(this, x, y);
        int h = x.Dim(0), w = x.Dim(1), oh = y.Dim(0), ow = y.Dim(1);
        var job = _image ??= new ImageJob();
        byte* src = Host("resize_pillow_bilinear", x).Pointer<byte>(), dst = Host("resize_pillow_bilinear", y).Pointer<byte>();
        Tensor? tmp = null;
        try
        {
            if (ow != w)
            {
                byte* hdst = dst;
                if (oh != h)
                {
                    tmp = Allocate(DType.UInt8, h, ow, c);
                    hdst = ((HostTensor)tmp).Pointer<byte>();
                }
                // Horizontal: rows of [h, w, c] -> [h, ow, c].
                job.Resize(PillowResample.Create(w, ow), src, hdst, rows: h, srcStride: c, srcRow: (long)w * c, dstRow: (long)ow * c, width: ow, channels: c, horizontal: true);
                src = hdst;
            }
            if (oh != h)
            {
                // Vertical: row oy of [oh, ow·c] from rows of [h, ow·c].
                job.Resize(PillowResample.Create(h, oh), src, dst, rows: oh, srcStride: (long)ow * c, srcRow: 0, dstRow: (long)ow * c, width: ow * c, channels: 1, horizontal: false);
            }
            else if (ow == w)
            {
                new ReadOnlySpan<byte>(src, (int)x.Length).CopyTo(new Span<byte>(dst, (int)y.Length));
            }
        }
        finally
        {
            tmp?.Dispose();
        }
    }

    /// <inheritdoc/>
    public override unsafe void NormalizePad(Tensor x, Tensor y, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, bool reverseChannels)
    {
        OpChecks.NormalizePad(this, x, y, mean, std);
        var job = _image ??= new ImageJob();
        job.Normalize(Host("normalize_pad", x).Pointer<byte>(), Host("normalize_pad", y).Pointer<float>(), x.Dim(0), x.Dim(1), y.Dim(2), y.Dim(3),
            mean, std, reverseChannels);
    }

    private sealed unsafe class ImageJob : RangeJob
    {
        private readonly float[] _mean = new float[3], _std = new float[3];
        private PillowResample? _f;
        private byte* _src, _bdst;
        private float* _fdst;
        private long _srcStride, _srcRow, _dstRow;
        private int _width, _channels, _h, _w, _ph, _pw;
        private bool _horizontal, _normalize, _reverse;

        public void Resize(PillowResample f, byte* src, byte* dst, int rows, long srcStride, long srcRow, long dstRow, int width, int channels, bool horizontal)
        {
            _f = f;
            _src = src;
            _bdst = dst;
            _srcStride = srcStride;
            _srcRow = srcRow;
            _dstRow = dstRow;
            _width = width;
            _channels = channels;
            _horizontal = horizontal;
            _normalize = false;
            Start(rows, Math.Max(1, 16384 / Math.Max(1, width * channels)));
        }

        public void Normalize(byte* src, float* dst, int h, int w, int ph, int pw, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, bool reverse)
        {
            _src = src;
            _fdst = dst;
            _h = h;
            _w = w;
            _ph = ph;
            _pw = pw;
            _reverse = reverse;
            _normalize = true;
            mean.CopyTo(_mean);
            std.CopyTo(_std);
            Start(3L * ph, Math.Max(1, 8192 / Math.Max(1, pw)));
        }

        protected override void Range(long start, long end)
        {
            for (long r = start; r < end; r++)
            {
                if (_normalize) NormalizeRow((int)r);
                else if (_horizontal) HorizontalRow((int)r);
                else VerticalRow((int)r);
            }
        }

        // y[c, i, j] = ((float)x[i, j, c'] - mean[c]) / std[c] inside the image, 0 in the padding.
        private void NormalizeRow(int index)
        {
            int c = index / _ph, i = index - c * _ph, sc = _reverse ? 2 - c : c;
            float* dst = _fdst + (long)index * _pw;
            float m = _mean[c], s = _std[c];
            int j = 0;
            if (i < _h)
            {
                byte* src = _src + (long)i * _w * 3 + sc;
                for (; j < _w; j++) dst[j] = ((float)src[3 * j] - m) / s;
            }
            for (; j < _pw; j++) dst[j] = 0f;
        }

        // Output pixel ox of row r: sum over the taps of src[r, first + k, ch]·weight[k], per channel.
        private void HorizontalRow(int r)
        {
            var f = _f!;
            byte* src = _src + r * _srcRow, dst = _bdst + r * _dstRow;
            int c = _channels, taps = f.Taps;
            int initial = 1 << (PillowResample.PrecisionBits - 1);
            fixed (int* bounds = f.Bounds, weights = f.Weights)
            {
                for (int ox = 0; ox < _width; ox++)
                {
                    int first = bounds[2 * ox], count = bounds[2 * ox + 1];
                    int* wt = weights + ox * taps;
                    byte* s0 = src + (long)first * c;
                    for (int ch = 0; ch < c; ch++)
                    {
                        int acc = initial;
                        for (int k = 0; k < count; k++) acc += s0[k * c + ch] * wt[k];
                        dst[ox * c + ch] = PillowResample.Clip8(acc);
                    }
                }
            }
        }

        // Output row oy: sum over the taps of source rows first + k, element by element along the row.
        private void VerticalRow(int oy)
        {
            var f = _f!;
            byte* dst = _bdst + oy * _dstRow;
            int initial = 1 << (PillowResample.PrecisionBits - 1);
            fixed (int* bounds = f.Bounds, weights = f.Weights)
            {
                int first = bounds[2 * oy], count = bounds[2 * oy + 1];
                int* wt = weights + oy * f.Taps;
                byte* s0 = _src + first * _srcStride;
                for (int col = 0; col < _width; col++)
                {
                    int acc = initial;
                    for (int k = 0; k < count; k++) acc += s0[k * _srcStride + col] * wt[k];
                    dst[col] = PillowResample.Clip8(acc);
                }
            }
        }
    }
}
