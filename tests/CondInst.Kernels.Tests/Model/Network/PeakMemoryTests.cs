using CondInst.Kernels.Importer;
using CondInst.Kernels.Model;
using CondInst.Kernels.Model.Benchmarking;

namespace CondInst.Kernels.Tests.Model.Network;

/// <summary>
/// The tensor pool's peak over one prediction, against a bound derived from the network's shapes (not fitted to a
/// measurement): the body frees the network input once the stem has read it and every feature map after its last
/// consumer, so after the stem it holds at most one feature map of the largest size L (a block's input) and the
/// block's narrower tensors: conv2's output (a quarter of the width at stride 2: at most L/8) and the downsampled
/// identity its output is written over (at most L/2), conv1's output (at most L/2) never with the identity. Before
/// that, the stem holds the input and its output (3/16·L + L). So at most L + L/2 + L/8, each rounded up to its pool
/// size class. Measured on a second prediction of the size, which the pool serves from its plan (blocks of the sizes
/// asked; the first runs on buffers of its own, best fit, which may be larger than asked). Keeping the input alive through the body (as before it was freed after the stem), or one more
/// full-size map (as before the liveness work: x, conv1's output and the identity together), breaks it.
/// </summary>
public sealed class PeakMemoryTests
{
    [Fact]
    public void OnePredictionStaysWithinTheLargestFeatureMapAndABlocksNarrowerTensors()
    {
        // The R-50's shapes (seeded random weights: 100 detections) at a mid size, where the body sets the peak.
        using var backend = new CpuBackend();
        using var model = CondInstModel.Create(backend, WeightSet.Random(CondInstArchitecture.R50, 1), TestSettings.R50Defaults);
        var (bgr, w, h) = BenchImage.Load("synthetic:640x384");
        model.Predict(bgr, w, h);
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
        long bound = BufferPool<HostBuffer>.SizeClass(largest) + BufferPool<HostBuffer>.SizeClass(largest / 2) + BufferPool<HostBuffer>.SizeClass(largest / 8);
        // The mask stage (one paste chunk of binary masks, the probabilities at stride 4) must stay under the body's
        // bound on this image, else the test would say nothing about the body.
        long paste = Math.Min(MaskPredictor.ChunkBytes, (long)result.Instances.Count * g.OriginalHeight * g.OriginalWidth)
            + result.Instances.Count * hw / 16 * sizeof(float);
        Assert.True(paste < bound / 2, $"the mask stage ({paste} B) is not well under the body's bound {bound} B on this image");
        Assert.True(peak <= bound, $"one prediction held {peak} B of tensors at its peak, over the derived bound {bound} B (largest map {largest} B x (1 + 1/2 + 1/8), size-classed)");
        // Not vacuous: the body needs at least the input and one largest map at once (the stem's input and output).
        Assert.True(peak >= input + largest, $"peak {peak} B is below input + largest map {input + largest} B: the pool is not counting");
    }
}
