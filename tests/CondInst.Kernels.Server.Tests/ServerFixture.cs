using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CondInst.Kernels.Server.Protocol;
using Grpc.Net.Client;

namespace CondInst.Kernels.Server.Tests;

/// <summary>One server for a test class: the demo model on the cpu backend, loopback, free ports; ready before the tests run.</summary>
public class ServerFixture : IAsyncLifetime
{
    private ServerHost? _host;
    private GrpcChannel? _channel;

    internal virtual ServerOptions Options => TestData.Options();

    internal virtual Func<ModelAdapter, IBatchPredictor>? Wrap => null;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(5) };

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    public int RestPort => _host!.RestPort;

    public Uri Url(string path) => new($"http://127.0.0.1:{_host!.RestPort}{path}");

    public async ValueTask InitializeAsync()
    {
        _host = ServerHost.Create(Options, Wrap, logging => { });
        await _host.StartAsync();
        await _host.Loaded;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_host.GrpcPort}", new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        Grpc = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        Http.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>POSTs a JSON text and returns status and parsed body.</summary>
    public async Task<(int Status, JsonElement Body)> PostJson(string path, string json)
    {
        using var response = await Http.PostAsync(Url(path), new StringContent(json, Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>POSTs raw bytes and returns status and body bytes.</summary>
    public async Task<(int Status, byte[] Body, string? ContentType)> PostBytes(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await Http.PostAsync(Url(path), content);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>GETs and returns status and parsed JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> GetJson(string path)
    {
        using var response = await Http.GetAsync(Url(path));
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>An OIP infer request with the demo image as one base64 BYTES element.</summary>
    public static string DemoInferJson(string extra = "") =>
        $$"""{"id": "req-7", {{extra}} "inputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "data": ["{{Convert.ToBase64String(File.ReadAllBytes(TestData.DemoImage))}}"]}]}""";
}
