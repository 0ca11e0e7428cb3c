using System.Runtime.Intrinsics;

namespace CondInst.Kernels;

// GroupNorm and the per-channel affine. Layout: NCHW; a group is the contiguous run of (C/groups)·H·W floats of
// one image, so one work item normalises one (image, group).
public sealed partial class CpuBackend
{
    private GroupNormJob? _groupNorm;
    private AffineJob? _affine;

    /// <inheritdoc/>
    public override unsafe void GroupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, bool relu, Tensor y)
    {
        OpChecks.GroupNorm(this, x, gamma, beta, groups, y);
        int n = x.Dim(0), c = x.Dim(1), hw = x.Dim(2) * x.Dim(3);
        var job = _groupNorm ??= new GroupNormJob();
        job.Set(Host("group_norm", x).Pointer<float>(), Host("group_norm", gamma).Pointer<float>(), Host("group_norm", beta).Pointer<float>(),
            Host("group_norm", y).Pointer<float>(), groups, c / groups, hw, eps, relu);
        CpuWorkers.Shared.For(n * groups, job);
    }

    /// <inheritdoc/>
    public override unsafe void ChannelAffine(Tensor x, Tensor scale, Tensor shift, bool relu, Tensor y)
    {
        OpChecks.PerChannel("channel_affine", this, x, scale, shift, y);
        var job = _affine ??= new AffineJob();
        job.Run(Host("channel_affine", x).Pointer<float>(), Host("channel_affine", scale).Pointer<float>(), Host("channel_affine", shift).Pointer<float>(),
            Host("channel_affine", y).Pointer<float>(), x.Dim(0) * x.Dim(1), x.Dim(1), x.Dim(2) * x.Dim(3), relu);
    }

    /// <summary>
    /// One (image, group) per item: mean by a float-vector sum (of x - x[0]) flushed to double every block, then the biased
    /// variance of (x - mean) the same way, then y = ((x - meanHi) - meanLo)·(inv·gamma) + beta. The mean is split
    /// into two floats so that x - mean stays exact when the mean is large and the spread small.
    /// </summary>
    private sealed unsafe class GroupNormJob : IParallelWork
    {
        private const int Block = 1024;
        private float* _x, _gamma, _beta, _y;
        private int _cpg, _hw, _groups;
        private float _eps;
        private bool _relu;

        public void Set(float* x, float* gamma, float* beta, float* y, int groups, int cpg, int hw, float eps, bool relu)
        {
            _x = x;
            _gamma = gamma;
            _beta = beta;
            _y = y;
            _groups = groups;
            _cpg = cpg;
            _hw = hw;
            _eps = eps;
            _relu = relu;
        }

        public void Run(int item)
        {
            long count = (long)_cpg * _hw;
            float* x = _x + item * count, y = _y + item * count;
            if (count == 0) return;
            // Sum of x - x[0]: small terms when the mean is large and the spread small, so float blocks stay exact enough.
            float shift = x[0];
            double sum = 0;
            for (long s = 0; s < count; s += Block)
                sum += SumBlock(x + s, (int)Math.Min(Block, count - s), shift, 0f, squares: false);
            double mean = shift + sum / count;
            float meanHi = (float)mean, meanLo = (float)(mean - meanHi);
            double sq = 0;
            for (long s = 0; s < count; s += Block)
                sq += SumBlock(x + s, (int)Math.Min(Block, count - s), meanHi, meanLo, squares: true);
            double inv = 1.0 / Math.Sqrt(sq / count + _eps);
            int c0 = item % _groups * _cpg;
            for (int ch = 0; ch < _cpg; ch++)
            {
                int channel = c0 + ch;
                float a = (float)(inv * _gamma[channel]), b = _beta[channel];
                Apply(x + (long)ch * _hw, y + (long)ch * _hw, _hw, meanHi, meanLo, a, b, _relu);
            }
        }

        private static float SumBlock(float* x, int n, float hi, float lo, bool squares)
        {
            var acc = Vector256<float>.Zero;
            var vh = Vector256.Create(hi);
            var vl = Vector256.Create(lo);
            int i = 0;
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.Load(x + i);
                var d = (v - vh) - vl;
                acc += squares ? d * d : d;
            }
            float s = Vector256.Sum(acc);
            for (; i < n; i++)
            {
                float d = (x[i] - hi) - lo;
                s += squares ? d * d : d;
            }
            return s;
        }

        private static void Apply(float* x, float* y, int n, float hi, float lo, float a, float b, bool relu)
        {
            var vh = Vector256.Create(hi);
            var vl = Vector256.Create(lo);
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            int i = 0;
            for (; i + 8 <= n; i += 8)
            {
                var v = ((Vector256.Load(x + i) - vh) - vl) * va + vb;
                if (relu) v = Vector256.Max(v, Vector256<float>.Zero);
                v.Store(y + i);
            }
            for (; i < n; i++)
            {
                float v = ((x[i] - hi) - lo) * a + b;
                y[i] = relu ? MathF.Max(v, 0f) : v;
            }
        }
    }

    /// <summary>y = x·scale[c] + shift[c] (then ReLU) per plane; one work item per group of planes.</summary>
    private sealed unsafe class AffineJob : RangeJob
    {
        private float* _x, _scale, _shift, _y;
        private int _c, _hw;
        private bool _relu;

        public void Run(float* x, float* scale, float* shift, float* y, int planes, int c, int hw, bool relu)
        {
            _x = x;
            _scale = scale;
            _shift = shift;
            _y = y;
            _c = c;
            _hw = hw;
            _relu = relu;
            Start(planes, Math.Max(1, 16384 / Math.Max(1, hw)));
        }

        protected override void Range(long start, long end)
        {
            for (long p = start; p < end; p++)
            {
                int ch = (int)(p % _c);
                float* x = _x + p * _hw, y = _y + p * _hw;
                float s = _scale[ch], t = _shift[ch];
                var vs = Vector256.Create(s);
                var vt = Vector256.Create(t);
                int i = 0;
                for (; i + 8 <= _hw; i += 8)
                {
                    var v = Vector256.Load(x + i) * vs + vt;
                    if (_relu) v = Vector256.Max(v, Vector256<float>.Zero);
                    v.Store(y + i);
                }
                for (; i < _hw; i++)
                {
                    float v = x[i] * s + t;
                    y[i] = _relu ? MathF.Max(v, 0f) : v;
                }
            }
        }
    }
}
