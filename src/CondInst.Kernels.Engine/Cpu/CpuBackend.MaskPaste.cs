using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CondInst.Kernels;

// The fused mask paste (aligned ×factor crop → bilinear to the original size → threshold) without float
// intermediates of the full size. Both interpolations are separable and evaluated "along W within the two source
// rows, then along H", so every row of each stage is built from rows of the previous one:
//   H_i   = probs row i interpolated along W to the crop width          (stage 1, horizontal)
//   C_Y   = H_i0(Y)·wy0 + H_i1(Y)·wy1                                   (stage 1, vertical: crop row Y)
//   G_Y   = C_Y interpolated along W to the original width              (stage 2, horizontal)
//   out_y = G_a(y)·wy0 + G_b(y)·wy1 > threshold                         (stage 2, vertical, threshold)
// with the same taps, weights and operation order as AlignedBilinear and UpsampleBilinear, so every float equals
// the chain's. Output columns are cut into blocks of 64, and rows of every stage are computed lazily per block (the
// crop and probs columns a block reads) into small rings of slots: an output row reads crop rows a and a + 1 (or a
// twice), which read at most three consecutive probs rows, so two crop slots and four probs slots never evict a row
// still in use.
//
// Skipping. For each probs row and output block the job records whether all probs values the block reads are
// "clearly below" (in [-2^64, L0] with L0 = fl(thr·(1 - 2^-12))) or "clearly above" (in [L1, 2^64] with
// L1 = fl(thr·(1 + 2^-12))) the threshold. When every probs row an output row reads agrees, the block is written as
// all 0 or all 1 without computing anything else. This cannot change a bit. Each stage computes
//   v = fl(fl(fl(fl(p00·wx0) + fl(p01·wx1))·wy0) + fl(fl(fl(p10·wx0) + fl(p11·wx1))·wy1))
// with weights in [0, 1] (factor 1 copies). Rounding to nearest is monotone, and so are products with a
// non-negative weight and sums, so v, and the two stages composed, are non-decreasing in every probs value as long
// as nothing overflows (|p| ≤ 2^64 rules that out, and rules out infinities, whose product with a zero weight is
// NaN). So if every p ≤ L0, out ≤ out(L0, ..., L0). With u = 2^-24, |fl(x) - x| ≤ u·|x| + 2^-150 (subnormals
// included) and w0 + w1 = fl(1 - a) + a ≤ 1 + u per axis, one stage fed a constant U gives at most
// U·(1 + u)^6 + 2^-146, two stages at most L0·(1 + u)^12 + 2^-145 < thr·(1 - 2^-12)(1 + 2^-19) + 2^-145 < thr for
// every thr ≥ 2^-100: the strict test gives 0 for every pixel. Symmetrically (w0 + w1 ≥ 1 - u), every p ≥ L1 gives
// out ≥ L1·(1 - u)^16 - 2^-145 > thr: every pixel is 1. NaN fails both range tests, so blocks that read one are
// computed. Skipping is off for thresholds below 2^-100 or not finite.
public sealed partial class CpuBackend
{
    private PasteJob? _paste;

    /// <inheritdoc/>
    public override unsafe void PasteMasks(Tensor probs, int factor, int cropH, int cropW, float threshold, Tensor masks)
    {
        OpChecks.PasteMasks(this, probs, factor, cropH, cropW, masks);
        if (masks.Length == 0) return;
        var job = _paste ??= new PasteJob();
        job.Set(Host("paste_masks", probs).Pointer<float>(), Host("paste_masks", masks).Pointer<byte>(), probs, factor, cropH, cropW, threshold, masks);
        job.Go();
    }

    /// <summary>One band of output rows of one instance per item: item = instance·Bands + band.</summary>
    private sealed unsafe class PasteJob : IParallelWork
    {
        private const int Block = 64;
        private const int Below = 1, Above = 2;
        private const float Big = 18446744073709551616f; // 2^64
        private const float Margin = 1f / 4096; // 2^-12
        private static readonly float SmallestThreshold = MathF.ScaleB(1f, -100);

        private float* _p;
        private byte* _m;
        private int _n, _h4, _w4, _ch, _cw, _oh, _ow, _factor, _band, _bands, _blocks;
        private float _thr, _below, _above;
        private bool _skip;

        // Stage 1 (aligned, probs → crop) taps per crop row / column; stage 2 (bilinear, crop → original) per output row / column.
        private int[] _ay0 = [], _ay1 = [], _ax0 = [], _ax1 = [], _y0 = [], _y1 = [], _x0 = [], _x1 = [];
        private float[] _awy0 = [], _awy1 = [], _awx0 = [], _awx1 = [], _wy0 = [], _wy1 = [], _wx0 = [], _wx1 = [];

        // Per group of 8 output columns: its stage-2 taps read 8 consecutive crop columns and their right neighbours.
        private bool[] _contiguous = [];

        // Per output block: the first and last crop column and probs column it reads.
        private int[] _cLo = [], _cHi = [], _sLo = [], _sHi = [];

        public void Set(float* p, byte* m, Tensor probs, int factor, int cropH, int cropW, float threshold, Tensor masks)
        {
            _p = p;
            _m = m;
            (_factor, _ch, _cw, _thr) = (factor, cropH, cropW, threshold);
            (_n, _h4, _w4, _oh, _ow) = (probs.Dim(0), probs.Dim(2), probs.Dim(3), masks.Dim(1), masks.Dim(2));
            _skip = threshold >= SmallestThreshold && float.IsFinite(threshold);
            _below = threshold * (1f - Margin);
            _above = threshold * (1f + Margin);
            Taps(_ch, i => AlignedTap(i, _h4, factor), ref _ay0, ref _ay1, ref _awy0, ref _awy1);
            Taps(_cw, j => AlignedTap(j, _w4, factor), ref _ax0, ref _ax1, ref _awx0, ref _awx1);
            Taps(_oh, i => LinearTap(i, _ch, _oh, alignCorners: false), ref _y0, ref _y1, ref _wy0, ref _wy1);
            Taps(_ow, j => LinearTap(j, _cw, _ow, alignCorners: false), ref _x0, ref _x1, ref _wx0, ref _wx1);
            Grow(ref _contiguous, _ow / 8);
            for (int g = 0; g < _ow / 8; g++)
            {
                bool c = true;
                for (int k = 0; k < 8 && c; k++) c = _x0[8 * g + k] == _x0[8 * g] + k && _x1[8 * g + k] == _x0[8 * g + k] + 1;
                _contiguous[g] = c;
            }
            _blocks = (_ow + Block - 1) / Block;
            Grow(ref _cLo, _blocks);
            Grow(ref _cHi, _blocks);
            Grow(ref _sLo, _blocks);
            Grow(ref _sHi, _blocks);
            for (int b = 0; b < _blocks; b++)
            {
                // Taps are non-decreasing along an axis, and i1 ≥ i0.
                _cLo[b] = _x0[b * Block];
                _cHi[b] = _x1[Math.Min(_ow, (b + 1) * Block) - 1];
                _sLo[b] = factor == 1 ? _cLo[b] : _ax0[_cLo[b]];
                _sHi[b] = factor == 1 ? _cHi[b] : _ax1[_cHi[b]];
            }
            // Whole instances per item when there are enough of them to balance the cores; else bands of ≥ 16 rows.
            int threads = CpuWorkers.Shared.Threads;
            int perInstance = _n >= 4 * threads ? 1 : Math.Clamp((4 * threads + _n - 1) / _n, 1, Math.Max(1, _oh / 16));
            _band = (_oh + perInstance - 1) / perInstance;
            _bands = (_oh + _band - 1) / _band;
        }

        public void Go() => CpuWorkers.Shared.For(checked(_n * _bands), this);

        private static void Taps(int count, Func<int, (int I0, int I1, float W0, float W1)> tap, ref int[] i0, ref int[] i1, ref float[] w0, ref float[] w1)
        {
            Grow(ref i0, count);
            Grow(ref i1, count);
            Grow(ref w0, count);
            Grow(ref w1, count);
            for (int i = 0; i < count; i++) (i0[i], i1[i], w0[i], w1[i]) = tap(i);
        }

        private static void Grow<T>(ref T[] a, int n)
        {
            if (a.Length < n) a = new T[n];
        }

        /// <summary>
        /// The rings of one work item: probs-row slots H (row &amp; 3), crop-row slots C and G (row &amp; 1), each tagged with
        /// the row it holds (-1: none) and a done flag per block; and the block flags of the band's probs rows.
        /// </summary>
        private struct Rings
        {
            public float* H, C, G;
            public int* HDone, CDone, GDone, Tags, Flags;
        }

        private const int HSlots = 4, CTag = 4, GTag = 6;

        // The first and last probs row crop row Y reads.
        private int FirstSource(int y) => _factor == 1 ? y : _ay0[y];

        private int LastSource(int y) => _factor == 1 ? y : _ay1[y];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int item)
        {
            int n = item / _bands, band = item % _bands;
            int y0 = band * _band, y1 = Math.Min(_oh, y0 + _band);
            int first = FirstSource(_y0[y0]), rows = LastSource(_y1[y1 - 1]) - first + 1;
            float* scratch = CpuScratch.Floats((HSlots + 2L) * _cw + 2L * _ow);
            int* ints = CpuScratch.Ints((long)(rows + HSlots + 4) * _blocks);
            int* tags = stackalloc int[8];
            new Span<int>(tags, 8).Fill(-1);
            var r = new Rings
            {
                H = scratch,
                C = scratch + HSlots * (long)_cw,
                G = scratch + (HSlots + 2L) * _cw,
                HDone = ints,
                CDone = ints + HSlots * _blocks,
                GDone = ints + (HSlots + 2) * _blocks,
                Flags = ints + (HSlots + 4) * _blocks,
                Tags = tags,
            };
            float* plane = _p + (long)n * _h4 * _w4;
            if (_skip)
                for (int i = 0; i < rows; i++)
                {
                    float* src = plane + (long)(first + i) * _w4;
                    for (int b = 0; b < _blocks; b++) r.Flags[i * _blocks + b] = Classify(src + _sLo[b], _sHi[b] - _sLo[b] + 1);
                }
            byte* output = _m + (long)n * _oh * _ow;
            for (int y = y0; y < y1; y++)
            {
                int a = _y0[y], b = _y1[y];
                int lo = FirstSource(a) - first, hi = LastSource(b) - first;
                byte* dst = output + (long)y * _ow;
                for (int blk = 0; blk < _blocks; blk++)
                {
                    int x0 = blk * Block, x1 = Math.Min(_ow, x0 + Block);
                    if (_skip)
                    {
                        int f = Below | Above;
                        for (int i = lo; i <= hi; i++) f &= r.Flags[i * _blocks + blk];
                        if (f != 0)
                        {
                            new Span<byte>(dst + x0, x1 - x0).Fill(f == Above ? (byte)1 : (byte)0);
                            continue;
                        }
                    }
                    float* ga = GRow(ref r, plane, a, blk), gb = GRow(ref r, plane, b, blk);
                    Emit(ga, gb, _wy0[y], _wy1[y], dst, x0, x1);
                }
            }
        }

        // True when slot's done flag for block is set; retags the slot (clearing its flags) if it holds another row.
        private bool Claim(int* tag, int* done, int row, int blk)
        {
            if (*tag != row)
            {
                new Span<int>(done, _blocks).Clear();
                *tag = row;
            }
            if (done[blk] != 0) return true;
            done[blk] = 1;
            return false;
        }

        // Crop row Y along W at the output columns of block blk (stage 2, horizontal).
        private float* GRow(ref Rings r, float* plane, int y, int blk)
        {
            int slot = y & 1;
            float* g = r.G + (long)slot * _ow;
            if (!Claim(r.Tags + GTag + slot, r.GDone + slot * _blocks, y, blk))
            {
                float* c = CRow(ref r, plane, y, blk);
                Horizontal(c, g, blk * Block, Math.Min(_ow, (blk + 1) * Block));
            }
            return g;
        }

        // Crop row Y at the crop columns block blk reads (stage 1, vertical; factor 1 copies as the chain does).
        private float* CRow(ref Rings r, float* plane, int y, int blk)
        {
            int slot = y & 1;
            float* c = r.C + (long)slot * _cw;
            if (!Claim(r.Tags + CTag + slot, r.CDone + slot * _blocks, y, blk))
            {
                int lo = _cLo[blk], count = _cHi[blk] - lo + 1;
                if (_factor == 1)
                {
                    Buffer.MemoryCopy(plane + (long)y * _w4 + lo, c + lo, 4L * count, 4L * count);
                }
                else
                {
                    float* h0 = HRow(ref r, plane, _ay0[y], blk), h1 = HRow(ref r, plane, _ay1[y], blk);
                    Vertical(h0 + lo, h1 + lo, _awy0[y], _awy1[y], c + lo, count);
                }
            }
            return c;
        }

        // probs row i along W at the crop columns block blk reads (stage 1, horizontal).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private float* HRow(ref Rings r, float* plane, int i, int blk)
        {
            int slot = i & (HSlots - 1);
            float* h = r.H + (long)slot * _cw;
            if (!Claim(r.Tags + slot, r.HDone + slot * _blocks, i, blk))
            {
                float* src = plane + (long)i * _w4;
                int[] x0 = _ax0, x1 = _ax1;
                float[] w0 = _awx0, w1 = _awx1;
                for (int x = _cLo[blk]; x <= _cHi[blk]; x++) h[x] = src[x0[x]] * w0[x] + src[x1[x]] * w1[x];
            }
            return h;
        }

        // dst = r0·w0 + r1·w1 over n floats (the vertical step of stage 1).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Vertical(float* r0, float* r1, float w0, float w1, float* dst, int n)
        {
            int x = 0;
            var v0 = Vector256.Create(w0);
            var v1 = Vector256.Create(w1);
            for (; x + 8 <= n; x += 8) (Vector256.Load(r0 + x) * v0 + Vector256.Load(r1 + x) * v1).Store(dst + x);
            for (; x < n; x++) dst[x] = r0[x] * w0 + r1[x] * w1;
        }

        // Below / Above when all n crop values are clearly on one side of the threshold (see the file comment), else 0.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int Classify(float* c, int n)
        {
            bool below = true, above = true;
            var lo = Vector256.Create(_below);
            var hi = Vector256.Create(_above);
            var big = Vector256.Create(Big);
            var nbig = Vector256.Create(-Big);
            int x = 0;
            for (; x + 8 <= n && (below || above); x += 8)
            {
                var v = Vector256.Load(c + x);
                below &= Vector256.LessThanOrEqualAll(v, lo) && Vector256.GreaterThanOrEqualAll(v, nbig);
                above &= Vector256.GreaterThanOrEqualAll(v, hi) && Vector256.LessThanOrEqualAll(v, big);
            }
            for (; x < n && (below || above); x++)
            {
                float v = c[x];
                below &= v <= _below && v >= -Big;
                above &= v >= _above && v <= Big;
            }
            return below ? Below : above ? Above : 0;
        }

        // G[x] = c[x0[x]]·wx0[x] + c[x1[x]]·wx1[x] for x in [from, to) (stage 2 along W); from is a multiple of 8.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Horizontal(float* c, float* g, int from, int to)
        {
            ref float w0 = ref MemoryMarshal.GetArrayDataReference(_wx0);
            ref float w1 = ref MemoryMarshal.GetArrayDataReference(_wx1);
            int x = from;
            for (; x + 8 <= to; x += 8)
            {
                if (_contiguous[x >> 3])
                {
                    float* s = c + _x0[x];
                    (Vector256.Load(s) * Vector256.LoadUnsafe(ref w0, (nuint)x) + Vector256.Load(s + 1) * Vector256.LoadUnsafe(ref w1, (nuint)x)).Store(g + x);
                }
                else
                {
                    for (int k = x; k < x + 8; k++) g[k] = c[_x0[k]] * _wx0[k] + c[_x1[k]] * _wx1[k];
                }
            }
            for (; x < to; x++) g[x] = c[_x0[x]] * _wx0[x] + c[_x1[x]] * _wx1[x];
        }

        // dst[x] = (ga[x]·wy0 + gb[x]·wy1 > threshold) for x in [from, to), 32 bytes per step.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Emit(float* ga, float* gb, float wy0, float wy1, byte* dst, int from, int to)
        {
            var v0 = Vector256.Create(wy0);
            var v1 = Vector256.Create(wy1);
            var t = Vector256.Create(_thr);
            var one = Vector256.Create((byte)1);
            int x = from;
            for (; x + 32 <= to; x += 32)
            {
                var m0 = Vector256.GreaterThan(Vector256.Load(ga + x) * v0 + Vector256.Load(gb + x) * v1, t).AsInt32();
                var m1 = Vector256.GreaterThan(Vector256.Load(ga + x + 8) * v0 + Vector256.Load(gb + x + 8) * v1, t).AsInt32();
                var m2 = Vector256.GreaterThan(Vector256.Load(ga + x + 16) * v0 + Vector256.Load(gb + x + 16) * v1, t).AsInt32();
                var m3 = Vector256.GreaterThan(Vector256.Load(ga + x + 24) * v0 + Vector256.Load(gb + x + 24) * v1, t).AsInt32();
                var bytes = Vector256.Narrow(Vector256.Narrow(m0, m1), Vector256.Narrow(m2, m3)).AsByte();
                (bytes & one).Store(dst + x);
            }
            for (; x < to; x++) dst[x] = ga[x] * wy0 + gb[x] * wy1 > _thr ? (byte)1 : (byte)0;
        }
    }
}
