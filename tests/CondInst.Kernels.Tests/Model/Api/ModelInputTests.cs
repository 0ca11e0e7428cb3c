using CondInst.Kernels.Model;
using CondInst.Kernels.Tests.Model.Network;

namespace CondInst.Kernels.Tests.Model.Api;

/// <summary>Batches (their results, a bad file), cancellation, per-model CPU pools and the stage order diagnostics see.</summary>
public sealed class ModelInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("inputs").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string Demo => Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo");

    [Fact]
    public void ABatchReportsABadFileAtItsPlaceAfterTheGoodOnes()
    {
        using var model = CondInstModel.Load(Path.Combine(Demo, "shapes.pth"), "cpu");
        string good = Path.Combine(Demo, "demo_1.png"), bad = Path.Combine(_dir, "bad.png");
        File.WriteAllBytes(bad, File.ReadAllBytes(good).AsSpan(0, 100).ToArray()); // truncated PNG
        var seen = new List<string>();
        var e = Assert.Throws<ImageLoadException>(() =>
        {
            foreach (var r in model.PredictBatch([good, good, bad, good], TestContext.Current.CancellationToken)) seen.Add(r.FileName);
        });
        Assert.Equal(["demo_1.png", "demo_1.png"], seen);
        Assert.Contains("bad.png", e.Message);
    }

    [Fact]
    public async Task ABatchGivesEachImagePredictsResultInOrder()
    {
        // The batch overlaps one image's mask paste with the next image's network: the results must still be
        // Predict's, bit for bit, in input order; a consumer that stops early leaves the model usable.
        using var model = CondInstModel.Load(Path.Combine(Demo, "shapes.pth"), "cpu");
        string[] files = [.. new[] { 1, 2, 3, 1, 3 }.Select(i => Path.Combine(Demo, $"demo_{i}.png"))];
        var expected = files.Select(f => Rles(model.Predict(f))).ToArray();
        Assert.All(expected, e => Assert.NotEmpty(e));
        Assert.Equal(expected, model.PredictBatch(files, TestContext.Current.CancellationToken).Select(Rles).ToArray());
        var streamed = new List<string>();
        await foreach (var r in model.PredictBatchAsync(files, TestContext.Current.CancellationToken)) streamed.Add(Rles(r));
        Assert.Equal(expected, streamed);
        Assert.Equal(expected[0], Rles(model.PredictBatch(files, TestContext.Current.CancellationToken).First()));
        Assert.Equal(expected[2], Rles(model.Predict(files[2])));
    }

    [Fact]
    public async Task CancelledPredictionsThrowAndTheModelStaysUsable()
    {
        using var model = CondInstModel.Load(Path.Combine(Demo, "shapes.pth"), "cpu");
        string image = Path.Combine(Demo, "demo_2.png");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.PredictAsync(image, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in model.PredictBatchAsync([image, image], cancelled.Token)) { }
        });
        Assert.NotEmpty((await model.PredictAsync(image, TestContext.Current.CancellationToken)).Instances);
    }

    [Fact]
    public void TwoModelsWithTheirOwnPoolsPredictTogetherAsOne()
    {
        string weights = Path.Combine(Demo, "shapes.pth"), image = Path.Combine(Demo, "demo_3.png");
        using var shared = CondInstModel.Load(weights, "cpu");
        using var a = CondInstModel.Load(weights, "cpu", new ModelOptions { CpuThreads = 1 });
        using var b = CondInstModel.Load(weights, "cpu", new ModelOptions { CpuThreads = 3 });
        Assert.Equal(1, ((CpuBackend)a.Backend).Threads);
        Assert.Equal(3, ((CpuBackend)b.Backend).Threads);
        Assert.Equal((1, 3), (a.Backend.Device.MaxGroupSize, b.Backend.Device.MaxGroupSize));
        string expected = Rles(shared.Predict(image));
        var results = new string[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = Rles((i % 2 == 0 ? a : b).Predict(image)));
        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelOptions { CpuThreads = 0 }.Apply(shared.Settings));
    }

    [Fact]
    public void ObserversSeeTheStagesInPipelineOrder()
    {
        using var backend = new CpuBackend();
        using var model = CondInstModel.Create(backend, MiniFixture.Weights, MiniFixture.Settings);
        var (bgr, w, h) = MiniFixture.Image();
        var sink = new RecordingSink(backend);
        var clock = new StageClock(backend);
        var result = model.Predict(bgr, w, h, "input", StageObserver.Combine(sink, clock));
        string[] order = ["preprocess", "backbone", "fpn", "head", "mask_branch", "postprocess", "mask_head", "mask_paste"];
        Assert.Equal(order, sink.StagesDone);
        Assert.Equal(order, clock.Laps.Select(l => l.Stage));
        // The dumps of the final stages agree with the result.
        Assert.Equal(result.Instances.Count, sink.Stages["det_scores"].Shape[0]);
        Assert.Equal(result.Instances.SelectMany(d => d.ToFullMask()), sink.Stages["det_masks"].Data.Select(v => v == 0 ? (byte)0 : (byte)1));
    }

    private static string Rles(DetectionResult r) => string.Join(";", r.Instances.Select(d => $"{d.Score}:{d.ToRle().ToCompressedString()}"));
}
