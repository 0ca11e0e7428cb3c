using Grpc.Core;

namespace CondInst.Kernels.Server.Tests;

/// <summary>A full queue refuses at once with 429 / RESOURCE_EXHAUSTED, never 500, and the held requests still complete.</summary>
public sealed class OverloadTests(OverloadTests.HeldServer server) : IClassFixture<OverloadTests.HeldServer>
{
    /// <summary>Queue of one; the model is held by a gate the test opens.</summary>
    public sealed class HeldServer : ServerFixture
    {
        public GatedPredictor? Gate { get; private set; }

        internal override ServerOptions Options => TestData.Options(queueCapacity: 1);

        internal override Func<ModelAdapter, IBatchPredictor>? Wrap => model => Gate = new GatedPredictor(model);
    }

    /// <summary>Passes images to the model once opened; counts the passes that started and finished.</summary>
    public sealed class GatedPredictor : IBatchPredictor
    {
        private readonly IBatchPredictor _inner;
        private readonly ManualResetEventSlim _open = new(true);
        private int _started;
        private int _finished;

        internal GatedPredictor(IBatchPredictor inner) => _inner = inner;

        public int Started => Volatile.Read(ref _started);

        public int Finished => Volatile.Read(ref _finished);

        public void Close() => _open.Reset();

        public void Open() => _open.Set();

        IReadOnlyList<Segmentation> IBatchPredictor.Predict(IReadOnlyList<PreparedImage> images)
        {
            Interlocked.Increment(ref _started);
            _open.Wait();
            try
            {
                return _inner.Predict(images);
            }
            finally
            {
                Interlocked.Increment(ref _finished);
            }
        }
    }

    [Fact]
    public async Task Full_queue_gives_429_and_resource_exhausted_at_once_and_no_500()
    {
        var gate = server.Gate!;
        byte[] png = File.ReadAllBytes(TestData.DemoImage);
        gate.Close();
        int before = gate.Started;
        var first = server.PostBytes("/v1/segment", png); // taken by the worker, held at the gate
        while (gate.Started == before) await Task.Delay(10, TestContext.Current.CancellationToken);
        var second = server.PostBytes("/v1/segment", png); // waits in the queue (capacity 1)
        while (!(await Metrics()).Contains("\ncondinst_queue_depth 1\n", StringComparison.Ordinal)) await Task.Delay(10, TestContext.Current.CancellationToken);

        var refused = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.PostBytes("/v1/segment", png)));
        Assert.All(refused, r => Assert.Equal(429, r.Status));
        Assert.Contains("queue is full", System.Text.Encoding.UTF8.GetString(refused[0].Body));
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Grpc.ModelInferAsync(GrpcApiTests.DemoRequest(raw: true), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);

        gate.Open();
        Assert.Equal(200, (await first).Status);
        Assert.Equal(200, (await second).Status);
        string metrics = await Metrics();
        Assert.Contains("condinst_errors_total{protocol=\"rest\",code=\"429\"} 4", metrics);
        Assert.Contains("condinst_errors_total{protocol=\"grpc\",code=\"ResourceExhausted\"} 1", metrics);
        Assert.DoesNotContain("code=\"500\"", metrics);
        Assert.DoesNotContain("code=\"Internal\"", metrics);
    }

    private async Task<string> Metrics() => await server.Http.GetStringAsync(server.Url("/metrics"));
}
