using System.Buffers.Binary;
using System.Text.Json;
using CondInst.Kernels.Server.Protocol;
using Google.Protobuf;
using Grpc.Core;

namespace CondInst.Kernels.Server.Tests;

/// <summary>Every gRPC call with a client generated from the server's .proto.</summary>
public sealed class GrpcApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Health_and_metadata_calls_answer()
    {
        Assert.True((await server.Grpc.ServerLiveAsync(new ServerLiveRequest(), cancellationToken: TestContext.Current.CancellationToken)).Live);
        Assert.True((await server.Grpc.ServerReadyAsync(new ServerReadyRequest(), cancellationToken: TestContext.Current.CancellationToken)).Ready);
        Assert.True((await server.Grpc.ModelReadyAsync(new ModelReadyRequest { Name = "condinst" }, cancellationToken: TestContext.Current.CancellationToken)).Ready);
        Assert.True((await server.Grpc.ModelReadyAsync(new ModelReadyRequest { Name = "condinst", Version = "1" }, cancellationToken: TestContext.Current.CancellationToken)).Ready);
        var meta = await server.Grpc.ServerMetadataAsync(new ServerMetadataRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("condinst-kernels", meta.Name);
        Assert.False(string.IsNullOrEmpty(meta.Version));
        var model = await server.Grpc.ModelMetadataAsync(new ModelMetadataRequest { Name = "condinst" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["1"], model.Versions);
        Assert.Equal([("image", "BYTES"), ("image", "UINT8")], model.Inputs.Select(i => (i.Name, i.Datatype)));
        Assert.Equal([4L], model.Outputs.Single(o => o.Name == "boxes").Shape.Skip(1));
    }

    [Fact]
    public async Task Unknown_model_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Grpc.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(async () => await server.Grpc.ModelReadyAsync(new ModelReadyRequest { Name = "condinst", Version = "9" }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(async () => await server.Grpc.ModelInferAsync(DemoRequest(raw: false, model: "nope"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Infer_equals_infer_command(bool raw)
    {
        var response = await server.Grpc.ModelInferAsync(DemoRequest(raw), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("req-g", response.Id);
        Assert.Equal("condinst", response.ModelName);
        var outputs = response.Outputs.ToDictionary(o => o.Name);
        using var expected = JsonDocument.Parse(TestData.InferResults);
        var rows = expected.RootElement.EnumerateArray().ToList();
        Assert.Equal([rows.Count, 4L], outputs["boxes"].Shape);
        RestApiTests.AssertRows(rows, outputs["boxes"].Contents.Fp32Contents, outputs["scores"].Contents.Fp32Contents,
            outputs["labels"].Contents.IntContents, [.. outputs["masks"].Contents.BytesContents.Select(b => b.ToStringUtf8())]);
        Assert.All(outputs["image_index"].Contents.IntContents, i => Assert.Equal(0, i));
    }

    [Fact]
    public async Task Length_prefixed_raw_bytes_carry_two_images()
    {
        byte[] png = File.ReadAllBytes(TestData.DemoImage);
        var buffer = new byte[2 * (4 + png.Length)];
        for (int k = 0; k < 2; k++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(k * (4 + png.Length)), (uint)png.Length);
            png.CopyTo(buffer, k * (4 + png.Length) + 4);
        }
        var request = new ModelInferRequest { ModelName = "condinst", Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "BYTES", Shape = { 2 } } } };
        request.RawInputContents.Add(ByteString.CopyFrom(buffer));
        var outputs = (await server.Grpc.ModelInferAsync(request, cancellationToken: TestContext.Current.CancellationToken)).Outputs.ToDictionary(o => o.Name);
        var index = outputs["image_index"].Contents.IntContents;
        int n = index.Count / 2;
        Assert.True(n > 0);
        Assert.Equal(Enumerable.Repeat(0, n).Concat(Enumerable.Repeat(1, n)), index);
        var masks = outputs["masks"].Contents.BytesContents;
        Assert.Equal(masks.Take(n), masks.Skip(n));
    }

    [Fact]
    public async Task Bad_input_is_invalid_argument_and_the_server_still_answers()
    {
        var garbage = DemoRequest(raw: false);
        garbage.Inputs[0].Contents.BytesContents[0] = ByteString.CopyFromUtf8("garbage, not an image");
        var wrongType = DemoRequest(raw: false);
        wrongType.Inputs[0].Datatype = "FP32";
        var wrongShape = DemoRequest(raw: false);
        wrongShape.Inputs[0].Shape[0] = 3;
        var empty = new ModelInferRequest { ModelName = "condinst" };
        foreach (var bad in new[] { garbage, wrongType, wrongShape, empty })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Grpc.ModelInferAsync(bad, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.False(string.IsNullOrEmpty(e.Status.Detail));
        }
        Assert.NotEmpty((await server.Grpc.ModelInferAsync(DemoRequest(raw: true), cancellationToken: TestContext.Current.CancellationToken)).Outputs);
    }

    internal static ModelInferRequest DemoRequest(bool raw, string model = "condinst")
    {
        var png = ByteString.CopyFrom(File.ReadAllBytes(TestData.DemoImage));
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "BYTES", Shape = { 1 } };
        var request = new ModelInferRequest { ModelName = model, Id = "req-g", Inputs = { input } };
        if (raw) request.RawInputContents.Add(png);
        else input.Contents = new InferTensorContents { BytesContents = { png } };
        return request;
    }
}
