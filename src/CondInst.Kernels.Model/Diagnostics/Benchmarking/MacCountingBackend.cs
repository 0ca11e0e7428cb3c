namespace CondInst.Kernels.Model.Benchmarking;

/// <summary>
/// A host backend that computes nothing and counts the multiply-adds of every convolution it is asked to run
/// (<see cref="ConvSpec.Macs"/> × batch). Running the network's own forward pass on it gives the network's MAC count
/// from the convolutions the network actually has, at any input size, in milliseconds. Tensors are allocated
/// (uninitialised, never touched) so that shapes flow exactly as on a real device.
/// </summary>
internal sealed class MacCountingBackend() : HostBackend(new DeviceInfo("MAC counter (computes nothing)", DeviceKind.Cpu, "mac-counter", 0, 1, 1))
{
    /// <summary>Multiply-adds of the convolutions run so far.</summary>
    public long Macs { get; private set; }

    public override IPreparedConv PrepareConv(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> scale) =>
        new Prepared(spec, bias.Length > 0);

    public override void Conv2d(IPreparedConv conv, Tensor x, Tensor y, Tensor? residual = null, bool relu = false) =>
        Macs += conv.Spec.Macs(y.Dim(2), y.Dim(3)) * x.Dim(0);

    public override void GroupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, bool relu, Tensor y) { }

    public override void ChannelAffine(Tensor x, Tensor scale, Tensor shift, bool relu, Tensor y) { }

    public override void MaxPool2d(Tensor x, int kernel, int stride, int padding, Tensor y) { }

    public override void UpsampleNearest(Tensor x, Tensor y) { }

    public override void UpsampleBilinear(Tensor x, Tensor y, bool alignCorners) { }

    public override void AlignedBilinear(Tensor x, int factor, Tensor y) { }

    public override void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f, float beta = 1f) { }

    public override void Add(Tensor a, Tensor b, Tensor y) { }

    public override void Threshold(Tensor x, float threshold, Tensor y) { }

    public override void ResizePillowBilinear(Tensor x, Tensor y) { }

    public override void NormalizePad(Tensor x, Tensor y, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, bool reverseChannels) { }

    public override int TopKScores(Tensor x, float threshold, int k, Tensor indices, Tensor probs) => 0;

    public override void DecodeCandidates(Tensor indices, Tensor probs, int count, int numClasses, Tensor bboxPred, Tensor centerness,
        float stride, int imageH, int imageW, Tensor boxes, Tensor scores, Tensor labels, Tensor points, int offset)
    {
    }

    public override int Nms(Tensor boxes, Tensor scores, Tensor labels, int count, float iouThreshold, int maxKeep, Tensor keep) => 0;

    public override void GatherColumns(Tensor source, Tensor columns, int count, Tensor destination, int offset) { }

    public override void GatherRows(Tensor source, Tensor rows, int count, Tensor destination) { }

    public override void DynamicMaskHead(Tensor features, Tensor parameters, Tensor instances, float featureStride, float sizeOfInterest, Tensor logits) { }

    public override void PasteMasks(Tensor probs, int factor, int cropH, int cropW, float threshold, Tensor masks) { }

    private sealed class Prepared(ConvSpec spec, bool hasBias) : IPreparedConv
    {
        public ConvSpec Spec { get; } = spec;

        public bool HasBias { get; } = hasBias;

        public void Dispose()
        {
        }
    }
}
