using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondInst.Kernels;

// Max pooling and resizing over NCHW float32. Work items are output rows of all planes (plane·OH + row), so
// small planes with many channels and large planes with few both spread over the cores. Interpolation taps are
// computed per call in the reference's exact float formulas and kept in the job's reusable arrays.
public sealed partial class CpuBackend
{
    private ResampleJob? _resample;

    /// <inheritdoc/>
    public override unsafe void MaxPool2d(Tensor x, int kernel, int stride, int padding, Tensor y)
    {
        OpChecks.MaxPool2d(this, x, kernel, stride, padding, y);
        var job = _resample ??= new ResampleJob();
        job.Set(ResampleKind.MaxPool, Host("max_pool2d", x).Pointer<float>(), Host("max_pool2d", y).Pointer<float>(), x, y);
        job.Kernel = kernel;
        job.Stride = stride;
        job.Padding = padding;
        job.Go();
    }

    /// <inheritdoc/>
    public override unsafe void UpsampleNearest(Tensor x, Tensor y)
    {
        OpChecks.SameBatchAndChannels("upsample_nearest", this, x, y);
        var job = _resample ??= new ResampleJob();
        job.Set(ResampleKind.Nearest, Host("upsample_nearest", x).Pointer<float>(), Host("upsample_nearest", y).Pointer<float>(), x, y);
        for (int i = 0; i < job.OH; i++) job.Y0[i] = NearestIndex(i, job.H, job.OH);
        for (int j = 0; j < job.OW; j++) job.X0[j] = NearestIndex(j, job.W, job.OW);
        job.Go();
    }

    /// <inheritdoc/>
    public override unsafe void UpsampleBilinear(Tensor x, Tensor y, bool alignCorners)
    {
        OpChecks.SameBatchAndChannels("upsample_bilinear", this, x, y);
        var job = _resample ??= new ResampleJob();
        job.Set(ResampleKind.Bilinear, Host("upsample_bilinear", x).Pointer<float>(), Host("upsample_bilinear", y).Pointer<float>(), x, y);
        for (int i = 0; i < job.OH; i++) (job.Y0[i], job.Y1[i], job.YW0[i], job.YW1[i]) = LinearTap(i, job.H, job.OH, alignCorners);
        for (int j = 0; j < job.OW; j++) (job.X0[j], job.X1[j], job.XW0[j], job.XW1[j]) = LinearTap(j, job.W, job.OW, alignCorners);
        job.Go();
    }

    /// <inheritdoc/>
    public override unsafe void AlignedBilinear(Tensor x, int factor, Tensor y)
    {
        OpChecks.AlignedBilinear(this, x, factor, y);
        var job = _resample ??= new ResampleJob();
        job.Set(ResampleKind.Bilinear, Host("aligned_bilinear", x).Pointer<float>(), Host("aligned_bilinear", y).Pointer<float>(), x, y);
        // aligned_bilinear = replicate-pad by one, align_corners resize to factor·size + 1, shift by factor/2:
        // the taps of the padded input, with indices clamped back into the real input.
        int shift = factor / 2;
        for (int i = 0; i < job.OH; i++)
        {
            var t = factor == 1 ? (i, i, 1f, 0f) : LinearTap(Math.Max(i - shift, 0), job.H + 1, factor * job.H + 1, alignCorners: true);
            (job.Y0[i], job.Y1[i], job.YW0[i], job.YW1[i]) = (Math.Min(t.Item1, job.H - 1), Math.Min(t.Item2, job.H - 1), t.Item3, t.Item4);
        }
        for (int j = 0; j < job.OW; j++)
        {
            var t = factor == 1 ? (j, j, 1f, 0f) : LinearTap(Math.Max(j - shift, 0), job.W + 1, factor * job.W + 1, alignCorners: true);
            (job.X0[j], job.X1[j], job.XW0[j], job.XW1[j]) = (Math.Min(t.Item1, job.W - 1), Math.Min(t.Item2, job.W - 1), t.Item3, t.Item4);
        }
        if (factor == 1) job.Kind = ResampleKind.Nearest; // a crop-copy
        job.Go();
    }

    // PyTorch's nearest index: identity, exact 2x as a shift, else floor(dst·(float)in/out) clamped.
    private static int NearestIndex(int dst, int inSize, int outSize)
    {
        if (outSize == inSize) return dst;
        if (outSize == 2 * inSize) return dst >> 1;
        float scale = (float)inSize / outSize;
        return Math.Min((int)MathF.Floor(dst * scale), inSize - 1);
    }

    // PyTorch's linear source index and weights (area_pixel_compute_source_index), in float32.
    private static (int I0, int I1, float W0, float W1) LinearTap(int dst, int inSize, int outSize, bool alignCorners)
    {
        float scale = alignCorners ? (outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f) : (float)inSize / outSize;
        float src = alignCorners ? scale * dst : MathF.Max(scale * (dst + 0.5f) - 0.5f, 0f);
        int i0 = (int)src;
        float l1 = Math.Clamp(src - i0, 0f, 1f);
        int i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
        return (i0, i1, 1f - l1, l1);
    }

    private enum ResampleKind
    {
        MaxPool,
        Nearest,
        Bilinear,
    }

    /// <summary>One output row of one plane per index: row r of plane p is index p·OH + r.</summary>
    private sealed unsafe class ResampleJob : RangeJob
    {
        private float* _x, _y;

        public ResampleKind Kind;
        public int H, W, OH, OW, Kernel, Stride, Padding;
        public int[] Y0 = [], Y1 = [], X0 = [], X1 = [];
        public float[] YW0 = [], YW1 = [], XW0 = [], XW1 = [];

        public void Set(ResampleKind kind, float* x, float* y, Tensor xt, Tensor yt)
        {
            Kind = kind;
            _x = x;
            _y = y;
            (H, W, OH, OW) = (xt.Dim(2), xt.Dim(3), yt.Dim(2), yt.Dim(3));
            Planes = (long)xt.Dim(0) * xt.Dim(1);
            Grow(ref Y0, OH);
            Grow(ref Y1, OH);
            Grow(ref YW0, OH);
            Grow(ref YW1, OH);
            Grow(ref X0, OW);
            Grow(ref X1, OW);
            Grow(ref XW0, OW);
            Grow(ref XW1, OW);
        }

        private long Planes { get; set; }

        private static void Grow<T>(ref T[] a, int n)
        {
            if (a.Length < n) a = new T[n];
        }

        public void Go() => Start(Planes * OH, Math.Max(1, 4096 / Math.Max(1, OW)));

        protected override void Range(long start, long end)
        {
            for (long idx = start; idx < end; idx++)
            {
                long p = idx / OH;
                int r = (int)(idx - p * OH);
                float* src = _x + p * H * W, dst = _y + idx * OW;
                switch (Kind)
                {
                    case ResampleKind.MaxPool: PoolRow(src, dst, r); break;
                    case ResampleKind.Nearest: NearestRow(src + (long)Y0[r] * W, dst); break;
                    default: BilinearRow(src + (long)Y0[r] * W, src + (long)Y1[r] * W, YW0[r], YW1[r], dst); break;
                }
            }
        }

        private void PoolRow(float* src, float* dst, int r)
        {
            int y0 = r * Stride - Padding, y1 = Math.Min(y0 + Kernel, H);
            y0 = Math.Max(y0, 0);
            int j = 0;
            if (Kernel == 3 && Stride == 2 && Avx2.IsSupported)
            {
                // Output j reads columns 2j - p .. 2j - p + 2: vector path where all 8 outputs' windows are inside.
                int first = Padding > 0 ? 1 : 0;
                for (j = 0; j < first && j < OW; j++) dst[j] = PoolScalar(src, y0, y1, j);
                for (; j + 8 <= OW && 2 * j - Padding + 18 <= W; j += 8)
                {
                    var m = Vector256.Create(float.NegativeInfinity);
                    for (int iy = y0; iy < y1; iy++)
                    {
                        float* s = src + (long)iy * W + 2 * j - Padding;
                        // Columns s[2e], s[2e+1], s[2e+2] of output e: even lanes of s, odd lanes of s, even lanes of s + 2.
                        m = Vector256.Max(m, Vector256.Max(Vector256.Max(Even(s), Odd(s)), Even(s + 2)));
                    }
                    m.Store(dst + j);
                }
            }
            for (; j < OW; j++) dst[j] = PoolScalar(src, y0, y1, j);
        }

        private static Vector256<float> Even(float* s) =>
            Avx2.Permute4x64(Avx.Shuffle(Avx.LoadVector256(s), Avx.LoadVector256(s + 8), 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();

        private static Vector256<float> Odd(float* s) =>
            Avx2.Permute4x64(Avx.Shuffle(Avx.LoadVector256(s), Avx.LoadVector256(s + 8), 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();

        private float PoolScalar(float* src, int y0, int y1, int j)
        {
            int x0 = j * Stride - Padding, x1 = Math.Min(x0 + Kernel, W);
            x0 = Math.Max(x0, 0);
            float m = float.NegativeInfinity;
            for (int iy = y0; iy < y1; iy++)
            {
                float* row = src + (long)iy * W;
                for (int ix = x0; ix < x1; ix++) m = MathF.Max(m, row[ix]);
            }
            return m;
        }

        private void NearestRow(float* row, float* dst)
        {
            for (int j = 0; j < OW; j++) dst[j] = row[X0[j]];
        }

        // t = v[x0]·w0 + v[x1]·w1 within each source row, then out = t0·wy0 + t1·wy1 (PyTorch's order, no FMA).
        private void BilinearRow(float* r0, float* r1, float wy0, float wy1, float* dst)
        {
            for (int j = 0; j < OW; j++)
            {
                int a = X0[j], b = X1[j];
                float wa = XW0[j], wb = XW1[j];
                float t0 = r0[a] * wa + r0[b] * wb;
                float t1 = r1[a] * wa + r1[b] * wb;
                dst[j] = t0 * wy0 + t1 * wy1;
            }
        }
    }
}
