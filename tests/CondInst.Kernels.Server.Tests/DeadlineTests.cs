using Grpc.Core;

namespace CondInst.Kernels.Server.Tests;

/// <summary>The per-request deadline: past it the answer is 504 / DEADLINE_EXCEEDED, a queued request is never run, and the server goes on.</summary>
public sealed class DeadlineTests(DeadlineTests.ShortDeadlineServer server) : IClassFixture<DeadlineTests.ShortDeadlineServer>
{
    /// <summary>A 5 s deadline; the model is held by a gate the test opens.</summary>
    public sealed class ShortDeadlineServer : ServerFixture
    {
        public OverloadTests.GatedPredictor? Gate { get; private set; }

        internal override ServerOptions Options => TestData.Options() with { RequestTimeoutMs = 5000 };

        internal override Func<ModelAdapter, IBatchPredictor>? Wrap => model => Gate = new OverloadTests.GatedPredictor(model);
    }

    [Fact]
    public async Task Requests_past_the_deadline_are_504_and_deadline_exceeded_and_never_reach_the_model()
    {
        var gate = server.Gate!;
        byte[] png = File.ReadAllBytes(TestData.DemoImage);
        gate.Close();
        int before = gate.Started;
        var held = await server.PostBytes("/v1/segment", png); // in the model past its deadline
        Assert.Equal(504, held.Status);
        Assert.Contains("deadline", System.Text.Encoding.UTF8.GetString(held.Body));
        var queued = await server.PostBytes("/v1/segment", png); // waits behind it, past its deadline
        Assert.Equal(504, queued.Status);
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Grpc.ModelInferAsync(GrpcApiTests.DemoRequest(raw: true), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.Equal(before + 1, gate.Started); // only the first ever reached the model
        gate.Open();
        // Once the held pass is over, the two abandoned requests are skipped, never run: the next request is the
        // second pass to reach the model. (Its own status depends on the machine's speed against the deadline.)
        while (gate.Finished < before + 1) await Task.Delay(10, TestContext.Current.CancellationToken);
        var next = await server.PostBytes("/v1/segment", png);
        Assert.Contains(next.Status, new[] { 200, 504 });
        Assert.Equal(before + 2, gate.Started);
        Assert.Equal(200, (await server.GetJson("/v2/health/live")).Status);
    }
}
