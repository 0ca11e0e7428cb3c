namespace CondInst.Kernels;

public partial interface IBackend
{
    /// <summary>
    /// CondInst's dynamic mask head for all N instances in one pass. features: float32 [1, 8, H, W];
    /// parameters: float32 [N, 169] laid out as W0 (8x10), W1 (8x8), W2 (1x8), b0 (8), b1 (8), b2 (1), weights
    /// out-major; instances: float32 [N, 3] = (x, y, stride) of each instance's point. Per pixel (i, j) with
    /// location (lx, ly) = ((j + 0.5)·featureStride, (i + 0.5)·featureStride), the input is
    /// z = ((x - lx) / (stride·sizeOfInterest), (y - ly) / (stride·sizeOfInterest), features[0..7, i, j]) and
    /// logits[n, 0, i, j] = W2·relu(W1·relu(W0·z + b0) + b1) + b2. No N×8×H×W intermediates are stored.
    /// </summary>
    void DynamicMaskHead(Tensor features, Tensor parameters, Tensor instances, float featureStride, float sizeOfInterest, Tensor logits);
}
