using System.Text.RegularExpressions;
using CondInst.Kernels.Benchmarks.Onnx;
using CondInst.Kernels.Model;
using CondInst.Kernels.Model.Benchmarking;
using CondInst.Kernels.Tests.Reference;

namespace CondInst.Kernels.Tests.Benchmarks;

/// <summary>The bench command's plumbing: MAC counts, devices, the report and its last line.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public void R50MacsAreTheSpecsCountsAt1344x800And1216x800()
    {
        var m = BodyMacs.For(CondInstArchitecture.R50, 800, 1344);
        Assert.Equal(87_581_491_200, m.Backbone);
        Assert.Equal(17_065_574_400, m.Fpn);
        Assert.Equal(118_805_299_200, m.Head);
        Assert.Equal(16_429_056_000, m.MaskBranch);
        Assert.Equal(239_881_420_800, m.Total);
        Assert.Equal(217_037_535_744, BodyMacs.For(CondInstArchitecture.R50, 800, 1216).Total);
        Assert.Equal(2 * 239_881_420_800, BodyMacs.For(CondInstArchitecture.R50, 800, 1344, batch: 2).Total);
        Assert.Equal(2_553_600, BodyMacs.MaskHead(800, 1344, 1));
        Assert.Equal(231_040_000, BodyMacs.MaskHead(800, 1216, 100));
    }

    [Fact]
    public void TheCliAnswersOnnxRuntimeWithWhereToRunIt()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int rc = CondInst.Kernels.Cli.Program.Run(["bench", "--weights", "r50-random", "--image", "synthetic:64x48", "--device", "onnxruntime", "--runs", "1"], stdout, stderr);
        Assert.Equal(CondInst.Kernels.Cli.ExitCodes.BadArguments, rc); // a device this executable does not have
        Assert.Equal("", stdout.ToString());
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("dotnet run -c Release --project benchmarks/CondInst.Kernels.Benchmarks -- bench", lines[0]);
    }

    [Fact]
    public void UnknownDevicesAndBadCountsAreNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => BenchRunner.ResolveDevice("tpu", []));
        Assert.Contains("'tpu'", e.Message);
        Assert.Contains("cpu, cuda, opencl, ilgpu-cpu", e.Message);
        Assert.Null(BenchRunner.ResolveDevice("cuda:1", []));
        var r = Assert.Throws<ArgumentException>(() => BenchRunner.Run(new BenchRequest("r50-random", "synthetic:8x8", "cpu", 0, 0), TextWriter.Null, []));
        Assert.Contains("--runs", r.Message);
        var i = Assert.Throws<ArgumentException>(() => BenchImage.Load("synthetic:12by4"));
        Assert.Contains("synthetic:WxH", i.Message);
    }

    [Fact]
    public void StatsGiveMinMedianMax()
    {
        Assert.Equal((1.0, 3.0, 9.0), BenchRunner.Stats([9, 1, 3]));
        Assert.Equal((1.0, 2.5, 4.0), BenchRunner.Stats([4, 1, 3, 2]));
    }

    [Fact]
    public void ReportHasEveryStageAndEndsWithTheE2eLine()
    {
        // Peers on the scalar reference backend with a narrow model at a small scale: the engine's body, and the ONNX Runtime body.
        var settings = OrtBodyTests.SmallSettings;
        BenchTarget Open(bool ort)
        {
            var backend = new ReferenceBackend();
            var weights = WeightSet.Random(OrtBodyTests.Narrow, 2);
            var model = ort
                ? CondInstModel.Create(backend, weights, settings, (b, w, a) => new OrtBody(b, w, a, threads: 2))
                : CondInstModel.Create(backend, weights, settings);
            return new BenchTarget(model, backend, ort ? "ort on reference" : "engine on reference");
        }
        BenchPeer[] peers = [new("ref-engine", (_, _) => Open(false)), new("ref-ort", (_, _) => Open(true))];
        foreach (var (device, stages) in new[] { ("ref-engine", new[] { "backbone", "fpn", "head", "mask_branch" }), ("ref-ort", new[] { "body" }) })
        {
            var stdout = new StringWriter();
            Assert.Equal(0, BenchRunner.Run(new BenchRequest("r50-random", "synthetic:160x120", device, 3, 1, Throughput: 2), stdout, peers));
            var lines = stdout.ToString().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            var last = Regex.Match(lines[^1], @"^e2e_ms median=(\d+\.\d) min=(\d+\.\d) max=(\d+\.\d)$");
            Assert.True(last.Success, $"last line: {lines[^1]}");
            double med = double.Parse(last.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            double min = double.Parse(last.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            double max = double.Parse(last.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(min <= med && med <= max && min > 0, lines[^1]);
            foreach (var stage in new[] { "preprocess", "postprocess", "mask_head", "mask_paste", "(other)", "end to end" }.Concat(stages))
                Assert.Contains(lines, l => l.StartsWith(stage + " ", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("image synthetic:160x120: 160x120 -> resized 128x96, padded 128x96", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("peak memory: backend pool ", StringComparison.Ordinal));
            Assert.Contains(lines, l => Regex.IsMatch(l, @"^detections: \d+ \(min \d+, max \d+ over the runs\)$"));
            Assert.Contains(lines, l => Regex.IsMatch(l,
                @"^throughput over 2 images \(decoding included\): one after another \d+\.\d images/min \(\d+\.\d ms each\); PredictBatch \d+\.\d images/min \(\d+\.\d ms each\), \d\.\d{3}x$"));
            // The body's GFLOP/s column is filled from the narrow model's MACs at 128x96.
            long macs = BodyMacs.For(OrtBodyTests.Narrow, 96, 128).Total;
            string gmac = (macs / 1e9).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            if (device == "ref-ort") Assert.Contains(lines, l => l.StartsWith("body ", StringComparison.Ordinal) && l.Contains($" {gmac} "));
        }
    }
}
