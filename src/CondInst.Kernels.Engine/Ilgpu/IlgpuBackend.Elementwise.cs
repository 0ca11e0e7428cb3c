using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// Unary, Add, Threshold.
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, float, float>? _unary;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _add;
    private Action<KernelConfig, ArrayView<float>, ArrayView<byte>, int, float>? _threshold;

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f, float beta = 1f)
    {
        OpChecks.SameLength("unary", this, x, y, DType.Float32, DType.Float32);
        int code = op switch
        {
            UnaryOp.Relu => ElementwiseKernels.OpRelu,
            UnaryOp.Sigmoid => ElementwiseKernels.OpSigmoid,
            UnaryOp.Exp => ElementwiseKernels.OpExp,
            UnaryOp.Scale => ElementwiseKernels.OpScale,
            UnaryOp.ScaleReluScale => ElementwiseKernels.OpScaleReluScale,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown unary operation"),
        };
        int n = Count("unary", x);
        if (n == 0) return;
        (_unary ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, float, float>(ElementwiseKernels.Unary))(
            Stride(n), Dev("unary", x).View<float>(), Dev("unary", y).View<float>(), n, code, alpha, beta);
    }

    /// <inheritdoc/>
    public void Add(Tensor a, Tensor b, Tensor y)
    {
        OpChecks.SameLength("add", this, a, y, DType.Float32, DType.Float32);
        OpChecks.SameLength("add", this, b, y, DType.Float32, DType.Float32);
        int n = Count("add", y);
        if (n == 0) return;
        (_add ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.Add))(
            Stride(n), Dev("add", a).View<float>(), Dev("add", b).View<float>(), Dev("add", y).View<float>(), n);
    }

    /// <inheritdoc/>
    public void Threshold(Tensor x, float threshold, Tensor y)
    {
        OpChecks.SameLength("threshold", this, x, y, DType.Float32, DType.UInt8);
        int n = Count("threshold", x);
        if (n == 0) return;
        (_threshold ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<byte>, int, float>(ElementwiseKernels.Threshold))(
            Stride(n), Dev("threshold", x).View<float>(), Dev("threshold", y).View<byte>(), n, threshold);
    }
}
