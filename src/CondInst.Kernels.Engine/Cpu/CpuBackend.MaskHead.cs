using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CondInst.Kernels.Ilgpu;
using static CondInst.Kernels.Ilgpu.MaskHeadLayout;

namespace CondInst.Kernels;

// CondInst's dynamic mask head: per instance, three 1x1 layers (10->8->8->1) evaluated for 8 pixels at once with
// every intermediate in registers; nothing of size N x 8 x H x W is ever stored. Work items are
// (instance, block of rows).
public sealed partial class CpuBackend
{
    private MaskHeadJob? _maskHead;

    /// <inheritdoc/>
    public override unsafe void DynamicMaskHead(Tensor features, Tensor parameters, Tensor instances, float featureStride, float sizeOfInterest, Tensor logits)
    {
        int n = OpChecks.DynamicMaskHead(this, features, parameters, instances, logits);
        int h = features.Dim(2), w = features.Dim(3);
        if (n == 0 || h * w == 0) return;
        var job = _maskHead ??= new MaskHeadJob();
        job.Run(Host("dynamic_mask_head", features).Pointer<float>(), Host("dynamic_mask_head", parameters).Pointer<float>(),
            Host("dynamic_mask_head", instances).Pointer<float>(), Host("dynamic_mask_head", logits).Pointer<float>(), n, h, w, featureStride, sizeOfInterest);
    }

    /// <summary>
    /// Parameters per instance as <see cref="MaskHeadLayout"/> lays them out (the layer widths are unrolled here, so
    /// they must stay 8). Features [8, H, W]; logits [N, H, W].
    /// </summary>
    private sealed unsafe class MaskHeadJob : IParallelWork
    {
        private const int RowsPerItem = 8;
        private float* _f, _prm, _inst, _out;
        private int _h, _w, _blocks;
        private float _stride, _soi;

        public void Run(float* f, float* prm, float* inst, float* output, int n, int h, int w, float stride, float soi)
        {
            _f = f;
            _prm = prm;
            _inst = inst;
            _out = output;
            _h = h;
            _w = w;
            _stride = stride;
            _soi = soi;
            _blocks = (h + RowsPerItem - 1) / RowsPerItem;
            CpuWorkers.Shared.For(n * _blocks, this);
        }

        public void Run(int item)
        {
            int k = item / _blocks, r0 = item % _blocks * RowsPerItem, r1 = Math.Min(_h, r0 + RowsPerItem);
            float* p = _prm + (long)k * Params;
            float ix = _inst[3 * k], iy = _inst[3 * k + 1], norm = _inst[3 * k + 2] * _soi;
            long hw = (long)_h * _w;
            float* tail = stackalloc float[8 * 9];
            var lane = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
            for (int i = r0; i < r1; i++)
            {
                float ly = (i + 0.5f) * _stride;
                var z1 = Vector256.Create((iy - ly) / norm);
                float* frow = _f + (long)i * _w;
                float* orow = _out + k * hw + (long)i * _w;
                for (int j = 0; j < _w; j += 8)
                {
                    var lx = (Vector256.Create((float)j) + lane + Vector256.Create(0.5f)) * Vector256.Create(_stride);
                    var z0 = (Vector256.Create(ix) - lx) / Vector256.Create(norm);
                    float* src = frow + j;
                    long step = hw;
                    int valid = Math.Min(8, _w - j);
                    if (valid < 8)
                    {
                        // Tail: copy the last columns into a padded 8-wide buffer.
                        for (int c = 0; c < 8; c++)
                            for (int e = 0; e < 8; e++) tail[c * 8 + e] = e < valid ? frow[c * hw + j + e] : 0f;
                        src = tail;
                        step = 8;
                    }
                    var m = Evaluate(p, z0, z1, src, step);
                    if (valid == 8) m.Store(orow + j);
                    else
                    {
                        m.Store(tail + 64);
                        for (int e = 0; e < valid; e++) orow[j + e] = tail[64 + e];
                    }
                }
            }
        }

        // All three layers for 8 pixels; z2..z9 are the 8 feature channels at src + c·step.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static Vector256<float> Evaluate(float* p, Vector256<float> z0, Vector256<float> z1, float* src, long step)
        {
            var z2 = Vector256.Load(src);
            var z3 = Vector256.Load(src + step);
            var z4 = Vector256.Load(src + 2 * step);
            var z5 = Vector256.Load(src + 3 * step);
            var z6 = Vector256.Load(src + 4 * step);
            var z7 = Vector256.Load(src + 5 * step);
            var z8 = Vector256.Load(src + 6 * step);
            var z9 = Vector256.Load(src + 7 * step);
            Vector256<float> L0(int q)
            {
                float* w = p + W0At + q * Inputs;
                var a = Vector256.Create(p[B0At + q]);
                a = Fma(w[0], z0, a);
                a = Fma(w[1], z1, a);
                a = Fma(w[2], z2, a);
                a = Fma(w[3], z3, a);
                a = Fma(w[4], z4, a);
                a = Fma(w[5], z5, a);
                a = Fma(w[6], z6, a);
                a = Fma(w[7], z7, a);
                a = Fma(w[8], z8, a);
                a = Fma(w[9], z9, a);
                return Vector256.Max(a, Vector256<float>.Zero);
            }
            var h0 = L0(0);
            var h1 = L0(1);
            var h2 = L0(2);
            var h3 = L0(3);
            var h4 = L0(4);
            var h5 = L0(5);
            var h6 = L0(6);
            var h7 = L0(7);
            var o = Vector256.Create(p[B2At]);
            for (int q = 0; q < 8; q++)
            {
                float* w = p + W1At + q * Hidden;
                var a = Vector256.Create(p[B1At + q]);
                a = Fma(w[0], h0, a);
                a = Fma(w[1], h1, a);
                a = Fma(w[2], h2, a);
                a = Fma(w[3], h3, a);
                a = Fma(w[4], h4, a);
                a = Fma(w[5], h5, a);
                a = Fma(w[6], h6, a);
                a = Fma(w[7], h7, a);
                o = Fma(p[W2At + q], Vector256.Max(a, Vector256<float>.Zero), o);
            }
            return o;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Fma(float w, Vector256<float> x, Vector256<float> acc) =>
            Vector256.FusedMultiplyAdd(Vector256.Create(w), x, acc);
    }
}
