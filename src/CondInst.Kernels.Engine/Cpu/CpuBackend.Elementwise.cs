using System.Runtime.Intrinsics;

namespace CondInst.Kernels;

// Element-wise operations over flat float32 arrays: 8-lane vectors with a scalar tail, split over the cores in
// chunks. Exp and sigmoid use Vector256.Exp (within 2e-7 relative of MathF.Exp, checked over the float range)
// except where exp's result would be subnormal.
public sealed partial class CpuBackend
{
    private ElementwiseJob? _elementwise;

    /// <inheritdoc/>
    public override unsafe void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f, float beta = 1f)
    {
        OpChecks.SameLength("unary", this, x, y, DType.Float32, DType.Float32);
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op), op, "unary: unknown operation");
        var job = _elementwise ??= new ElementwiseJob();
        job.Run(op, Host("unary", x).Pointer<float>(), null, Host("unary", y).Pointer<float>(), x.Length, alpha, beta);
    }

    /// <inheritdoc/>
    public override unsafe void Add(Tensor a, Tensor b, Tensor y)
    {
        OpChecks.SameLength("add", this, a, y, DType.Float32, DType.Float32);
        OpChecks.SameLength("add", this, b, y, DType.Float32, DType.Float32);
        var job = _elementwise ??= new ElementwiseJob();
        job.Run(ElementwiseJob.AddOp, Host("add", a).Pointer<float>(), Host("add", b).Pointer<float>(), Host("add", y).Pointer<float>(), y.Length, 0f, 0f);
    }

    /// <inheritdoc/>
    public override unsafe void Threshold(Tensor x, float threshold, Tensor y)
    {
        OpChecks.SameLength("threshold", this, x, y, DType.Float32, DType.UInt8);
        var job = _elementwise ??= new ElementwiseJob();
        job.Bytes = Host("threshold", y).Pointer<byte>();
        job.Run(ElementwiseJob.ThresholdOp, Host("threshold", x).Pointer<float>(), null, null, x.Length, threshold, 0f);
    }

    /// <summary>One chunk of a flat array per item; Add and Threshold ride along as operation codes past UnaryOp's.</summary>
    private sealed unsafe class ElementwiseJob : RangeJob
    {
        public const UnaryOp AddOp = (UnaryOp)100;
        public const UnaryOp ThresholdOp = (UnaryOp)101;

        private UnaryOp _op;
        private float* _a, _b, _y;
        private float _alpha, _beta;

        public byte* Bytes;

        public void Run(UnaryOp op, float* a, float* b, float* y, long length, float alpha, float beta)
        {
            _op = op;
            _a = a;
            _b = b;
            _y = y;
            _alpha = alpha;
            _beta = beta;
            Start(length, op is UnaryOp.Exp or UnaryOp.Sigmoid ? 8192 : 65536);
        }

        protected override void Range(long start, long end)
        {
            float* a = _a + start, b = _b + start, y = _y + start;
            int n = (int)(end - start);
            float alpha = _alpha, beta = _beta;
            var va = Vector256.Create(alpha);
            var vb = Vector256.Create(beta);
            int i = 0;
            switch (_op)
            {
                case UnaryOp.Relu:
                    for (; i + 8 <= n; i += 8) Vector256.Max(Vector256.Load(a + i), Vector256<float>.Zero).Store(y + i);
                    for (; i < n; i++) y[i] = MathF.Max(a[i], 0f);
                    break;
                case UnaryOp.Scale:
                    for (; i + 8 <= n; i += 8) (va * Vector256.Load(a + i)).Store(y + i);
                    for (; i < n; i++) y[i] = alpha * a[i];
                    break;
                case UnaryOp.ScaleReluScale:
                    for (; i + 8 <= n; i += 8) (Vector256.Max(va * Vector256.Load(a + i), Vector256<float>.Zero) * vb).Store(y + i);
                    for (; i < n; i++) y[i] = MathF.Max(alpha * a[i], 0f) * beta;
                    break;
                case UnaryOp.Exp:
                    {
                        // Vector256.Exp is within 2e-7 of MathF.Exp where the result is a normal float; subnormal
                        // results (x < -87.33) lose relative precision, so those vectors go element by element.
                        var subnormal = Vector256.Create(-87.3f);
                        for (; i + 8 <= n; i += 8)
                        {
                            var v = Vector256.Load(a + i);
                            if (Vector256.LessThanAny(v, subnormal))
                                for (int e = 0; e < 8; e++) y[i + e] = MathF.Exp(a[i + e]);
                            else Exp8(v).Store(y + i);
                        }
                        for (; i < n; i++) y[i] = MathF.Exp(a[i]);
                        break;
                    }
                case UnaryOp.Sigmoid:
                    for (; i + 8 <= n; i += 8) (Vector256<float>.One / (Vector256<float>.One + Exp8(-Vector256.Load(a + i)))).Store(y + i);
                    for (; i < n; i++) y[i] = 1f / (1f + MathF.Exp(-a[i]));
                    break;
                case AddOp:
                    for (; i + 8 <= n; i += 8) (Vector256.Load(a + i) + Vector256.Load(b + i)).Store(y + i);
                    for (; i < n; i++) y[i] = a[i] + b[i];
                    break;
                case ThresholdOp:
                    {
                        byte* o = Bytes + start;
                        for (; i < n; i++) o[i] = a[i] > alpha ? (byte)1 : (byte)0;
                        break;
                    }
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Exp8(Vector256<float> v)
        {
#if NET9_0_OR_GREATER
            return Vector256.Exp(v);
#else
            // net8.0 has no vector exp: lane by lane with MathF.Exp (exact, slower; net10.0 is the tuned target).
            return Vector256.Create(MathF.Exp(v[0]), MathF.Exp(v[1]), MathF.Exp(v[2]), MathF.Exp(v[3]),
                MathF.Exp(v[4]), MathF.Exp(v[5]), MathF.Exp(v[6]), MathF.Exp(v[7]));
#endif
        }
    }
}
