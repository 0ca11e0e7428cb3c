using System.Text;

namespace CondInst.Kernels.Server.Tests;

/// <summary>Each kind of bad request gets its documented status and a one-line error, and the next request still works.</summary>
public sealed class BadInputTests(BadInputTests.SmallLimitServer server) : IClassFixture<BadInputTests.SmallLimitServer>
{
    /// <summary>A 1 MiB request limit, so "huge" is cheap to send.</summary>
    public sealed class SmallLimitServer : ServerFixture
    {
        internal override ServerOptions Options => TestData.Options(maxRequestBytes: 1L << 20);
    }

    private const string Infer = "/v2/models/condinst/infer";

    public static TheoryData<string, string, string> BadJson => new()
    {
        { "garbage JSON", "{not json", "not JSON" },
        { "no inputs", """{"inputs": []}""", "exactly one tensor" },
        { "wrong name", """{"inputs": [{"name": "img", "datatype": "BYTES", "shape": [1], "data": ["AAAA"]}]}""", "'img' is unknown" },
        { "wrong datatype", """{"inputs": [{"name": "image", "datatype": "FP32", "shape": [1], "data": [1.0]}]}""", "datatype FP32 is not accepted" },
        { "wrong shape", """{"inputs": [{"name": "image", "datatype": "UINT8", "shape": [2, 2], "data": [1, 2, 3, 4]}]}""", "UINT8 shape must be [h, w, 3]" },
        { "shape and data disagree", """{"inputs": [{"name": "image", "datatype": "UINT8", "shape": [2, 2, 3], "data": [1, 2, 3]}]}""", "needs 12 values, found 3" },
        { "not base64", """{"inputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "data": ["%%%"]}]}""", "not base64" },
        { "garbage image bytes", """{"inputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "data": ["AAECAwQFBgcICQ=="]}]}""", "image" },
        { "bad parameter", """{"parameters": {"max_detections": -3}, "inputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "data": ["AAAA"]}]}""", "max_detections" },
        { "unknown output", """{"outputs": [{"name": "logits"}], "inputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "data": ["AAAA"]}]}""", "output 'logits' does not exist" },
    };

    [Theory]
    [MemberData(nameof(BadJson))]
    public async Task Bad_infer_request_is_400_and_the_server_still_answers(string what, string json, string message)
    {
        var (status, body) = await server.PostJson(Infer, json);
        Assert.True(status == 400, $"{what}: status {status}, body {body}");
        Assert.Contains(message, body.GetProperty("error").GetString());
        await AssertStillServes();
    }

    [Fact]
    public async Task Empty_body_and_garbage_image_bytes_are_400()
    {
        var (status, body, _) = await server.PostBytes(Infer, []);
        Assert.Equal(400, status);
        Assert.Contains("empty", Encoding.UTF8.GetString(body));
        (status, body, _) = await server.PostBytes("/v1/segment", []);
        Assert.Equal(400, status);
        (status, body, _) = await server.PostBytes("/v1/segment", Encoding.ASCII.GetBytes("this is not an image at all"));
        Assert.Equal(400, status);
        Assert.StartsWith("{\"error\":\"image:", Encoding.UTF8.GetString(body));
        (status, _, _) = await server.PostBytes("/v1/segment?overlay=gif", File.ReadAllBytes(TestData.DemoImage));
        Assert.Equal(400, status);
        await AssertStillServes();
    }

    [Fact]
    public async Task Huge_body_is_413_and_the_server_still_answers()
    {
        // Raw HTTP with the declared length only: the server must refuse from the header alone. (Sending the body
        // races with the server's early 413 and close, which an HTTP client reports as a broken response.)
        // Bounded: a server without the limit would wait for the body forever.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(60));
        var ct = cts.Token;
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", server.RestPort, ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/segment HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: {(1 << 20) + 1}\r\nConnection: close\r\n\r\n"), ct);
        var response = new MemoryStream();
        await stream.CopyToAsync(response, ct);
        string text = Encoding.UTF8.GetString(response.ToArray());
        Assert.StartsWith("HTTP/1.1 413", text);
        Assert.Contains("limit", text);
        await AssertStillServes();
    }

    [Fact]
    public async Task Huge_grpc_message_is_resource_exhausted()
    {
        var request = new Protocol.ModelInferRequest { ModelName = "condinst" };
        request.Inputs.Add(new Protocol.ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "BYTES", Shape = { 1 } });
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(new byte[(1 << 20) + 1]));
        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await server.Grpc.ModelInferAsync(request, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, e.StatusCode);
        await AssertStillServes();
    }

    private async Task AssertStillServes()
    {
        var (status, _, _) = await server.PostBytes("/v1/segment", File.ReadAllBytes(TestData.DemoImage));
        Assert.Equal(200, status);
    }
}
