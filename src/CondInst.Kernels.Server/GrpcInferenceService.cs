using System.Buffers.Binary;
using System.Diagnostics;
using CondInst.Kernels.Server.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CondInst.Kernels.Server;

/// <summary>The Open Inference Protocol over gRPC (<c>inference.GRPCInferenceService</c>).</summary>
internal sealed class GrpcInferenceService(ModelService model, ServerMetrics metrics, ILogger<GrpcInferenceService> log) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Handle("live", () => Task.FromResult(new ServerLiveResponse { Live = true }));

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Handle("ready", () => Task.FromResult(new ServerReadyResponse { Ready = model.Ready }));

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) => Handle("model_ready", () =>
    {
        model.Check(request.Name, request.Version);
        return Task.FromResult(new ModelReadyResponse { Ready = model.Ready });
    });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Handle("server_metadata", () => Task.FromResult(new ServerMetadataResponse { Name = ServerPaths.ServerName, Version = RestApi.ServerVersion }));

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) => Handle("model_metadata", () =>
    {
        model.Check(request.Name, request.Version);
        var response = new ModelMetadataResponse { Name = model.Name, Platform = ModelService.Platform, Versions = { ModelService.Version } };
        foreach (var (name, datatype, shape) in OipTensors.Inputs) response.Inputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = name, Datatype = datatype, Shape = { shape } });
        foreach (var (name, datatype, shape) in OipTensors.Outputs) response.Outputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = name, Datatype = datatype, Shape = { shape } });
        return Task.FromResult(response);
    });

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) => Handle("infer", async () =>
    {
        var clock = Stopwatch.StartNew();
        try
        {
            model.Check(request.ModelName, request.ModelVersion);
            var call = Parse(request);
            var outputs = await model.InferAsync(call, context.CancellationToken);
            var response = new ModelInferResponse { ModelName = model.Name, ModelVersion = ModelService.Version, Id = request.Id };
            foreach (var t in outputs)
            {
                var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = t.Name, Datatype = t.Datatype, Shape = { t.Shape }, Contents = new InferTensorContents() };
                if (t.Fp32 is { } f) tensor.Contents.Fp32Contents.Add(f);
                if (t.Int32 is { } n) tensor.Contents.IntContents.Add(n);
                if (t.Bytes is { } b) tensor.Contents.BytesContents.Add(b.Select(ByteString.CopyFromUtf8));
                response.Outputs.Add(tensor);
            }
            return response;
        }
        finally
        {
            metrics.Stage("total", clock.Elapsed.TotalSeconds);
        }
    });

    private static InferCall Parse(ModelInferRequest request)
    {
        if (request.Inputs.Count != 1) throw ServeException.BadInput($"inputs must hold exactly one tensor named '{OipTensors.Image}', found {request.Inputs.Count}");
        var input = request.Inputs[0];
        int count = OipTensors.CheckInput(input.Name, input.Datatype, input.Shape);
        bool raw = request.RawInputContents.Count > 0;
        if (raw && request.RawInputContents.Count != 1)
            throw ServeException.BadInput($"raw_input_contents must hold one entry per input (1), found {request.RawInputContents.Count}");
        List<ImageInput> images;
        if (input.Datatype == "BYTES")
        {
            var elements = raw ? SplitRaw(request.RawInputContents[0], count) : [.. (input.Contents?.BytesContents ?? []).Select(b => b.ToByteArray())];
            if (elements.Count != count) throw ServeException.BadInput($"input '{input.Name}': shape [{count}] needs {count} element(s) in contents.bytes_contents, found {elements.Count}");
            images = [.. elements.Select(e => new ImageInput(e, null, 0, 0))];
        }
        else
        {
            int h = (int)input.Shape[0], w = (int)input.Shape[1];
            long expected = (long)h * w * 3;
            byte[] rgb;
            if (raw) rgb = request.RawInputContents[0].ToByteArray();
            else
            {
                var values = input.Contents?.UintContents ?? [];
                rgb = new byte[values.Count];
                for (int i = 0; i < values.Count; i++)
                    rgb[i] = values[i] <= 255 ? (byte)values[i] : throw ServeException.BadInput($"input '{input.Name}': uint_contents[{i}] = {values[i]} is not a UINT8 value");
            }
            if (rgb.Length != expected) throw ServeException.BadInput($"input '{input.Name}': shape [{h}, {w}, 3] needs {expected} values, found {rgb.Length}");
            images = [new ImageInput(null, rgb, w, h)];
        }
        float? scoreThreshold = null;
        int? maxDetections = null;
        if (request.Parameters.TryGetValue(OipTensors.ScoreThreshold, out var t)) scoreThreshold = (float)Number(t, OipTensors.ScoreThreshold);
        if (request.Parameters.TryGetValue(OipTensors.MaxDetections, out var m)) maxDetections = OipJson.Count(Number(m, OipTensors.MaxDetections), OipTensors.MaxDetections);
        var outputs = request.Outputs.Count == 0 ? null : request.Outputs.Select(o => o.Name).ToList();
        return new InferCall(request.Id, images, scoreThreshold, maxDetections, outputs);
    }

    // InferParameter has no double: a threshold comes as a string ("0.5") or an int64 (whole values).
    private static double Number(InferParameter p, string name) => p.ParameterChoiceCase switch
    {
        InferParameter.ParameterChoiceOneofCase.Int64Param => p.Int64Param,
        InferParameter.ParameterChoiceOneofCase.StringParam when double.TryParse(p.StringParam, System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) => v,
        _ => throw ServeException.BadInput($"parameter '{name}' must be an int64 or a number as a string, found {p.ParameterChoiceCase}"),
    };

    // BYTES in raw form: each element is preceded by its length (4 bytes, little-endian). A single element sent
    // without the prefix (the bare file) is taken as is: no image file starts with a length that fits exactly.
    private static List<byte[]> SplitRaw(ByteString raw, int count)
    {
        var span = raw.Span;
        var elements = new List<byte[]>();
        int offset = 0;
        while (offset + 4 <= span.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
            if (length > span.Length - offset - 4) break;
            elements.Add(span.Slice(offset + 4, (int)length).ToArray());
            offset += 4 + (int)length;
        }
        if (offset == span.Length && elements.Count == count) return elements;
        if (count == 1) return [raw.ToByteArray()];
        throw ServeException.BadInput($"raw_input_contents: expected {count} length-prefixed BYTES elements (4-byte little-endian length before each)");
    }

    private async Task<T> Handle<T>(string endpoint, Func<Task<T>> body)
    {
        metrics.Request("grpc", endpoint);
        metrics.AddInFlight(1);
        try
        {
            return await body();
        }
        catch (ServeException e)
        {
            metrics.Error("grpc", e.Grpc.ToString());
            log.LogInformation("gRPC {Endpoint} -> {Code}: {Error}", endpoint, e.Grpc, e.Message);
            throw new RpcException(new Status(e.Grpc, e.Message));
        }
        catch (OperationCanceledException)
        {
            metrics.Error("grpc", StatusCode.Cancelled.ToString());
            throw new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        }
        catch (Exception e) when (e is not RpcException)
        {
            metrics.Error("grpc", StatusCode.Internal.ToString());
            log.LogError(e, "internal error on gRPC {Endpoint}", endpoint);
            throw new RpcException(new Status(StatusCode.Internal, $"internal error: {e.Message}"));
        }
        finally
        {
            metrics.AddInFlight(-1);
        }
    }
}
