using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Model.Network;

/// <summary>The library surface: concurrent use, options, repeated runs without growth, errors.</summary>
public sealed class ModelApiTests
{
    [Fact]
    public void ConcurrentPredictionsOnOneModelGiveTheSameResults()
    {
        using var backend = new CpuBackend();
        using var model = CondInstModel.Create(backend, MiniFixture.Weights, MiniFixture.Settings);
        var (bgr, w, h) = MiniFixture.Image();
        var results = new DetectionResult[4];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = model.Predict(bgr, w, h));
        // mmdetection keeps this many instances on the fixture image: the comparison below is over all of them.
        Assert.Equal(MiniFixture.Array("det_scores").ToFloats().Length, results[0].Instances.Count);
        Assert.NotEmpty(results[0].Instances);
        foreach (var r in results)
        {
            Assert.Equal(results[0].Instances.Count, r.Instances.Count);
            for (int k = 0; k < r.Instances.Count; k++)
            {
                var (a, b) = (results[0].Instances[k], r.Instances[k]);
                Assert.Equal((a.X1, a.Y1, a.X2, a.Y2, a.Score, a.Label, a.ClassName), (b.X1, b.Y1, b.X2, b.Y2, b.Score, b.Label, b.ClassName));
                Assert.Equal(a.ToFullMask(), b.ToFullMask());
            }
        }
    }

    [Fact]
    public void RepeatedPredictionsAllocateNoNewDeviceMemory()
    {
        using var backend = new CpuBackend();
        using var model = CondInstModel.Create(backend, MiniFixture.Weights, MiniFixture.Settings);
        var (bgr, w, h) = MiniFixture.Image();
        model.Predict(bgr, w, h);
        long inUse = backend.Memory.BytesInUse, allocations = backend.Memory.Allocations;
        model.Predict(bgr, w, h);
        model.Predict(bgr, w, h);
        // Every tensor of a prediction goes back to the pool, and same-sized images reuse it.
        Assert.Equal(inUse, backend.Memory.BytesInUse);
        Assert.Equal(allocations, backend.Memory.Allocations);
    }

    [Fact]
    public void ThePoolFollowsTheImagesInsteadOfKeepingTheLargest()
    {
        // Small images, a large one, then small ones: after a window of small predictions the pool holds what a small
        // one needs, no more (before passes it kept the large image's buffers for the life of the model). Every image
        // is resized to the test scale, so "small" is a wide image: a quarter of the fixture image's height.
        using var backend = new CpuBackend();
        using var model = CondInstModel.Create(backend, MiniFixture.Weights, MiniFixture.Settings);
        var (bgr, w, h) = MiniFixture.Image();
        var wide = new byte[3 * w * (h / 4)];
        new Random(5).NextBytes(wide);
        model.Predict(wide, w, h / 4);
        model.Predict(wide, w, h / 4);
        long small = backend.Memory.BytesFree, inUse = backend.Memory.BytesInUse; // in use: the model's own tensors
        model.Predict(bgr, w, h);
        Assert.True(backend.Memory.BytesFree > small, $"the large image needed no more memory ({backend.Memory.BytesFree} <= {small})");
        for (int i = 0; i < BufferPool<HostBuffer>.PassWindow; i++) model.Predict(wide, w, h / 4);
        Assert.True(backend.Memory.BytesFree <= small, $"after small images the pool holds {backend.Memory.BytesFree} bytes, a small image needs {small}");
        Assert.Equal(inUse, backend.Memory.BytesInUse);
    }

    [Fact]
    public void OptionsOverrideTheCheckpointSettingsAndSayIt()
    {
        using var backend = new CpuBackend();
        using var model = CondInstModel.Load(MiniFixture.Checkpoint, backend, new ModelOptions { ScoreThreshold = 0.1f, MaxDetections = 5 });
        Assert.Equal((448, 280), (model.Settings.ScaleLong, model.Settings.ScaleShort));
        Assert.Equal(0.1f, model.Settings.ScoreThreshold);
        Assert.Contains("overridden: score_thr, max_per_img", model.Settings.Source);
        var (bgr, w, h) = MiniFixture.Image();
        var p = model.Predict(bgr, w, h);
        // Ten fixture candidates have a class probability above 0.1 (cand_cls_prob); at most 5 may be kept.
        Assert.Equal(5, p.Instances.Count);
        Assert.Equal(p.Instances.Select(d => d.Score).OrderDescending(), p.Instances.Select(d => d.Score));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelOptions { ScoreThreshold = 2f }.Apply(model.Settings));
    }

    [Fact]
    public void TinyAndElongatedImagesWork()
    {
        using var backend = new CpuBackend();
        using var model = CondInstModel.Create(backend, MiniFixture.Weights, MiniFixture.Settings);
        var rng = new Random(1);
        foreach (var (w, h) in new[] { (1, 1), (3, 2), (2000, 7), (5, 900) })
        {
            var p = model.Predict(RandomData.Bytes(rng, w * h * 3), w, h);
            Assert.Equal((w, h), (p.Width, p.Height));
            Assert.Equal(0, p.Geometry.PaddedHeight % 32);
            Assert.All(p.Instances, d => Assert.Equal(w * h, d.ToFullMask().Length));
        }
    }

    [Fact]
    public void WrongImageBufferIsRefusedClearly()
    {
        using var backend = new CpuBackend();
        using var model = CondInstModel.Create(backend, MiniFixture.Weights, MiniFixture.Settings);
        var e = Assert.Throws<ArgumentException>(() => model.Predict(new byte[10], 4, 4));
        Assert.Contains("4x4x3", e.Message);
    }
}
