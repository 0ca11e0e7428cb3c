using System.Text.Json;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Server.Tests;

/// <summary>Every REST endpoint over raw HTTP, and the results against <c>condinst infer</c> on the same image.</summary>
public sealed class RestApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Health_and_metadata_endpoints_answer_as_the_protocol_says()
    {
        var (status, live) = await server.GetJson("/v2/health/live");
        Assert.Equal(200, status);
        Assert.True(live.GetProperty("live").GetBoolean());
        (status, var ready) = await server.GetJson("/v2/health/ready");
        Assert.Equal(200, status);
        Assert.True(ready.GetProperty("ready").GetBoolean());
        (status, var meta) = await server.GetJson("/v2");
        Assert.Equal(200, status);
        Assert.Equal("condinst-kernels", meta.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Array, meta.GetProperty("extensions").ValueKind);
        foreach (string path in new[] { "/v2/models/condinst", "/v2/models/condinst/versions/1" })
        {
            (status, var model) = await server.GetJson(path);
            Assert.Equal(200, status);
            Assert.Equal("condinst", model.GetProperty("name").GetString());
            Assert.Equal(["1"], model.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal("image", model.GetProperty("inputs")[0].GetProperty("name").GetString());
            Assert.Equal(["boxes", "scores", "labels", "masks", "image_index"], model.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
            (status, var modelReady) = await server.GetJson(path + "/ready");
            Assert.Equal(200, status);
            Assert.True(modelReady.GetProperty("ready").GetBoolean());
        }
    }

    [Theory]
    [InlineData("/v2/models/nope")]
    [InlineData("/v2/models/nope/ready")]
    [InlineData("/v2/models/condinst/versions/2")]
    public async Task Unknown_model_or_version_is_404_with_an_error(string path)
    {
        var (status, body) = await server.GetJson(path);
        Assert.Equal(404, status);
        Assert.Contains(path.Contains("nope") ? "'nope'" : "version '2'", body.GetProperty("error").GetString());
        var (inferStatus, _) = await server.PostJson(path.Replace("/ready", "") + "/infer", ServerFixture.DemoInferJson());
        Assert.Equal(404, inferStatus);
    }

    [Fact]
    public async Task Infer_with_an_encoded_image_equals_infer_command_bit_for_bit()
    {
        var (status, body) = await server.PostJson("/v2/models/condinst/infer", ServerFixture.DemoInferJson());
        Assert.Equal(200, status);
        Assert.Equal("req-7", body.GetProperty("id").GetString());
        Assert.Equal("condinst", body.GetProperty("model_name").GetString());
        AssertEqualsInferResults(Outputs(body));
    }

    [Fact]
    public async Task Infer_with_rgb_pixels_equals_the_encoded_image()
    {
        var image = ImageLoader.Load(TestData.DemoImage);
        var rgb = new int[image.Bgr.Length];
        for (int i = 0; i < rgb.Length; i += 3) (rgb[i], rgb[i + 1], rgb[i + 2]) = (image.Bgr[i + 2], image.Bgr[i + 1], image.Bgr[i]);
        string json = $$"""{"inputs": [{"name": "image", "datatype": "UINT8", "shape": [{{image.Height}}, {{image.Width}}, 3], "data": [{{string.Join(",", rgb)}}]}]}""";
        var (status, body) = await server.PostJson("/v2/models/condinst/versions/1/infer", json);
        Assert.Equal(200, status);
        Assert.False(body.TryGetProperty("id", out _));
        AssertEqualsInferResults(Outputs(body));
    }

    [Fact]
    public async Task Parameters_filter_and_requested_outputs_select()
    {
        var (_, all) = await server.PostJson("/v2/models/condinst/infer", ServerFixture.DemoInferJson());
        var scores = Outputs(all)["scores"].GetProperty("data").EnumerateArray().Select(s => s.GetSingle()).ToList();
        Assert.True(scores.Count >= 2, $"the demo image should give at least 2 instances, gave {scores.Count}");
        float threshold = scores[1]; // keeps the first two (descending order)
        var (status, body) = await server.PostJson("/v2/models/condinst/infer",
            ServerFixture.DemoInferJson($$"""
            "parameters": {"score_threshold": {{threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}, "max_detections": 1}, "outputs": [{"name": "scores"}, {"name": "labels"}],
            """));
        Assert.Equal(200, status);
        var outputs = Outputs(body);
        Assert.Equal(["scores", "labels"], outputs.Keys);
        Assert.Equal([scores[0]], outputs["scores"].GetProperty("data").EnumerateArray().Select(s => s.GetSingle()));
        (status, body) = await server.PostJson("/v2/models/condinst/infer",
            ServerFixture.DemoInferJson($$"""
            "parameters": {"score_threshold": {{threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}},
            """));
        Assert.Equal(scores.Take(2), Outputs(body)["scores"].GetProperty("data").EnumerateArray().Select(s => s.GetSingle()));
    }

    [Fact]
    public async Task Segment_returns_infer_results_json_byte_for_byte_and_the_overlay()
    {
        byte[] png = File.ReadAllBytes(TestData.DemoImage);
        var (status, body, type) = await server.PostBytes("/v1/segment?file_name=demo_1.png", png);
        Assert.Equal(200, status);
        Assert.Equal("application/json", type);
        Assert.Equal(TestData.InferResults, body);
        (status, body, type) = await server.PostBytes("/v1/segment?overlay=png&file_name=demo_1.png", png);
        Assert.Equal(200, status);
        Assert.Equal("image/png", type);
        Assert.Equal(TestData.InferOverlay, body);
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_requests_errors_queue_and_stage_histograms()
    {
        await server.PostBytes("/v1/segment", File.ReadAllBytes(TestData.DemoImage));
        await server.GetJson("/v2/models/nope");
        using var response = await server.Http.GetAsync(server.Url("/metrics"), TestContext.Current.CancellationToken);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Matches(@"(?m)^condinst_requests_total\{protocol=""rest"",endpoint=""segment""\} [1-9]\d*$", text);
        Assert.Matches(@"(?m)^condinst_errors_total\{protocol=""rest"",code=""404""\} [1-9]\d*$", text);
        Assert.Matches(@"(?m)^condinst_queue_depth 0$", text);
        Assert.Matches(@"(?m)^# TYPE condinst_stage_seconds histogram$", text);
        foreach (string stage in new[] { "read", "decode", "queue", "model", "encode", "total" })
            Assert.Matches($@"(?m)^condinst_stage_seconds_bucket\{{stage=""{stage}"",le=""\+Inf""\}} [1-9]\d*$", text);
        // Buckets are cumulative: each count at least the previous one, the last equal to _count.
        var model = text.Split('\n').Where(l => l.StartsWith("condinst_stage_seconds_bucket{stage=\"model\"", StringComparison.Ordinal))
            .Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(model.Order(), model);
        Assert.Matches($@"(?m)^condinst_stage_seconds_count\{{stage=""model""\}} {model[^1]}$", text);
    }

    internal static Dictionary<string, JsonElement> Outputs(JsonElement body) =>
        body.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!, o => o);

    /// <summary>boxes, scores, labels and masks against results.json of <c>infer</c>: the same float32 values and RLE strings.</summary>
    internal static void AssertEqualsInferResults(Dictionary<string, JsonElement> outputs)
    {
        using var expected = JsonDocument.Parse(TestData.InferResults);
        var rows = expected.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        var boxes = outputs["boxes"].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToList();
        var scores = outputs["scores"].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToList();
        var labels = outputs["labels"].GetProperty("data").EnumerateArray().Select(v => v.GetInt32()).ToList();
        var masks = outputs["masks"].GetProperty("data").EnumerateArray().Select(v => v.GetString()!).ToList();
        Assert.Equal([rows.Count, 4], outputs["boxes"].GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("BYTES", outputs["masks"].GetProperty("datatype").GetString());
        AssertRows(rows, boxes, scores, labels, masks);
    }

    internal static void AssertRows(List<JsonElement> rows, IList<float> boxes, IList<float> scores, IList<int> labels, IList<string> masks)
    {
        Assert.Equal(rows.Count, scores.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var bbox = rows[i].GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal((float)bbox[0], boxes[4 * i]);
            Assert.Equal((float)bbox[1], boxes[4 * i + 1]);
            Assert.Equal(bbox[2], (double)boxes[4 * i + 2] - boxes[4 * i]);
            Assert.Equal(bbox[3], (double)boxes[4 * i + 3] - boxes[4 * i + 1]);
            Assert.Equal(rows[i].GetProperty("score").GetDouble(), (double)scores[i]);
            Assert.Equal(rows[i].GetProperty("label").GetInt32(), labels[i]);
            using var mask = JsonDocument.Parse(masks[i]);
            var seg = rows[i].GetProperty("segmentation");
            Assert.Equal(seg.GetProperty("counts").GetString(), mask.RootElement.GetProperty("counts").GetString());
            Assert.Equal(seg.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()), mask.RootElement.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
        }
    }
}
