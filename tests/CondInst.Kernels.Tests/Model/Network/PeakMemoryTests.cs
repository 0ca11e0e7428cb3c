using CondInst.Kernels.Importer;
using CondInst.Kernels.Model;
using CondInst.Kernels.Model.Benchmarking;

namespace CondInst.Kernels.Tests.Model.Network;

/// <summary>
/// The tensor pool's peak over one prediction, against a bound derived from the network's shapes (not fitted to a
/// measurement): the body frees every feature map after its last consumer, so at any moment it holds the network
/// input, one feature map of the largest size L (a block's input, or the identity its output is written over) and the
/// block's narrower intermediates (a bottleneck's are a quarter of its width: conv1's output at most L/2, conv2's
/// at most L/8, or the downsampled identity at most L/2, never with conv1's output), so at most input + 2·L, each
/// buffer rounded up to its pool size class. Keeping one more full-size map alive (as before the liveness work:
/// x, conv1's output and the identity together) breaks it.
/// </summary>
public sealed class PeakMemoryTests
{
    [Fact]
    public void OnePredictionStaysWithinTheInputPlusTwoLargestFeatureMaps()
    {
        // The R-50's shapes (seeded random weights: 100 detections) at a mid size, where the body sets the peak.
        using var backend = new CpuBackend();
        using var model = CondInstModel.Create(backend, WeightSet.Random(CondInstArchitecture.R50, 1), TestSettings.R50Defaults);
        var (bgr, w, h) = BenchImage.Load("synthetic:640x384");
        backend.ResetPeakMemory();
        long before = backend.Memory.BytesInUse;
        var result = model.Predict(bgr, w, h);
        long peak = backend.Memory.PeakBytesInUse - before;

        var g = ImageGeometry.For(w, h, model.Settings.ScaleLong, model.Settings.ScaleShort);
        var arch = model.Architecture;
        long hw = (long)g.PaddedHeight * g.PaddedWidth;
        long input = 3 * hw * sizeof(float);
        // The stem's output (StemChannels at stride 2) and C2 (StageChannels(0) at stride 4) are the largest maps;
        // deeper stages halve in size at each stride, the FPN and head are at stride 8 and beyond.
        long largest = Math.Max(arch.StemChannels * hw / 4, arch.StageChannels(0) * hw / 16) * sizeof(float);
        long bound = BufferPool<HostBuffer>.SizeClass(input) + 2 * BufferPool<HostBuffer>.SizeClass(largest);
        // The mask stage (one paste chunk of binary masks, the probabilities at stride 4) must stay under the body's
        // bound on this image, else the test would say nothing about the body.
        long paste = Math.Min(MaskPredictor.ChunkBytes, (long)result.Instances.Count * g.OriginalHeight * g.OriginalWidth)
            + result.Instances.Count * hw / 16 * sizeof(float);
        Assert.True(paste < bound / 2, $"the mask stage ({paste} B) is not well under the body's bound {bound} B on this image");
        Assert.True(peak <= bound, $"one prediction held {peak} B of tensors at its peak, over the derived bound {bound} B (input {input} B + 2 x largest map {largest} B, size-classed)");
        // Not vacuous: the body needs at least the input and one largest map at once (the stem's input and output).
        Assert.True(peak >= input + largest, $"peak {peak} B is below input + largest map {input + largest} B: the pool is not counting");
    }
}
