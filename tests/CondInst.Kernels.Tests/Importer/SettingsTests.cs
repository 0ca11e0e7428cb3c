using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Settings;

namespace CondInst.Kernels.Tests.Importer;

public sealed class SettingsTests
{
    [Fact]
    public void ReadsTheR50ConfigOfTheSpecShape()
    {
        // mmengine pretty_text as in the published config: model.test_cfg and test_pipeline's Resize scale.
        const string text = """
            model = dict(
                type='CondInst',
                test_cfg=dict(
                    mask_thr=0.5,
                    max_per_img=100,
                    min_bbox_size=0,
                    nms=dict(iou_threshold=0.6, type='nms'),
                    nms_pre=1000,
                    score_thr=0.05))
            test_pipeline = [
                dict(backend_args=None, type='LoadImageFromFile'),
                dict(keep_ratio=True, scale=(
                    1333,
                    800,
                ), type='Resize'),
            ]
            """;
        Assert.Equal(TestSettings.R50Defaults with { Source = "checkpoint meta config" }, SettingsResolver.FromConfigText(text));
    }

    [Fact]
    public void ReadsMmdet2StyleConfigs()
    {
        // mmdet 2.x: top-level test_cfg with iou_thr, MultiScaleFlipAug img_scale, data.test.pipeline through a variable.
        const string text = """
            # comment line
            _base_ = ['../_base_/default_runtime.py']
            img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
            test_pipeline = [
                dict(type='LoadImageFromFile'),
                dict(
                    type='MultiScaleFlipAug',
                    img_scale=(1000, 600),
                    flip=False,
                    transforms=[dict(type='Resize', keep_ratio=True), dict(type='Normalize', **img_norm_cfg)])
            ]
            data = dict(test=dict(pipeline=test_pipeline))
            test_cfg = dict(nms_pre=500, score_thr=0.1, nms=dict(type='nms', iou_thr=0.5), max_per_img=20, mask_thr=0.45)
            lr = 0.01 * 2
            weird = [x for x in range(3)]
            """;
        Assert.Equal(new TestSettings(1000, 600, 0.1f, 500, 0.5f, 20, 0.45f, "checkpoint meta config"), SettingsResolver.FromConfigText(text));
    }

    [Fact]
    public void PartialConfigSaysWhichValuesAreDefaults()
    {
        var s = SettingsResolver.FromConfigText("test_pipeline = [dict(type='Resize', scale=(640, 640), keep_ratio=True)]\n");
        Assert.Equal(new TestSettings(640, 640, 0.05f, 1000, 0.6f, 100, 0.5f,
            "checkpoint meta config (defaults for score_thr, nms_pre, iou_threshold, max_per_img, mask_thr)"), s);
        Assert.Null(SettingsResolver.FromConfigText("optimizer = dict(type='SGD', lr=0.02)\nfoo(\n"));
    }

    [Fact]
    public void BadValuesInConfigAreNamed()
    {
        var e = Assert.Throws<ImporterException>(() => SettingsResolver.FromConfigText("model = dict(test_cfg=dict(score_thr=1.5))"));
        Assert.Equal("checkpoint meta config: score_thr must be in [0, 1], found 1.5", e.Message);
        var scale = Assert.Throws<ImporterException>(() => SettingsResolver.FromConfigText("test_pipeline = [dict(type='Resize', scale=('a', 3))]"));
        Assert.Equal("checkpoint meta config: scale must be two positive integers (e.g. [1333, 800]), found ('a', 3)", scale.Message);
    }

    [Fact]
    public void SidecarNextToTheWeights()
    {
        using var dir = new TempDir();
        var tensors = new List<CheckpointTensor> { ImporterFiles.F32("w", [1], 1f) };
        string pth = dir.File("model.pth");
        File.WriteAllBytes(pth, ImporterFiles.ZipPth(tensors));
        using (var none = Checkpoint.Load(pth))
            Assert.Equal(TestSettings.R50Defaults, none.Settings);

        // model.json (extension replaced) ...
        File.WriteAllText(dir.File("model.json"), """{"scale": [800, 1200], "score_thr": 0.3}""");
        using (var replaced = Checkpoint.Load(pth))
            Assert.Equal(new TestSettings(1200, 800, 0.3f, 1000, 0.6f, 100, 0.5f,
                $"sidecar {dir.File("model.json")} (defaults for nms_pre, iou_threshold, max_per_img, mask_thr)"), replaced.Settings);

        // ... and model.pth.json, which wins when both exist.
        File.WriteAllText(dir.File("model.pth.json"), """{"scale": [512, 512], "score_thr": 0.2, "nms_pre": 300, "iou_threshold": 0.7, "max_per_img": 10, "mask_thr": 0.6}""");
        using (var appended = Checkpoint.Load(pth))
            Assert.Equal(new TestSettings(512, 512, 0.2f, 300, 0.7f, 10, 0.6f, $"sidecar {dir.File("model.pth.json")}"), appended.Settings);
    }

    [Fact]
    public void MetaConfigWinsOverSidecar()
    {
        using var dir = new TempDir();
        string pth = dir.File("mini.pth");
        File.Copy(ImporterFiles.Mini, pth);
        File.WriteAllText(dir.File("mini.pth.json"), """{"scale": [100, 100]}""");
        using var ckpt = Checkpoint.Load(pth);
        Assert.Equal("checkpoint meta config", ckpt.Settings.Source);
        Assert.Equal(448, ckpt.Settings.ScaleLong);
    }

    [Fact]
    public void BadSidecarIsNamed()
    {
        using var dir = new TempDir();
        string pth = dir.File("m.pth");
        File.WriteAllBytes(pth, ImporterFiles.ZipPth([ImporterFiles.F32("w", [1], 1f)]));
        File.WriteAllText(dir.File("m.pth.json"), """{"scale": [1333, 800], "score_threshold": 0.3}""");
        var e = Assert.Throws<ImporterException>(() => Checkpoint.Load(pth));
        Assert.Equal($"sidecar {dir.File("m.pth.json")}: unknown key 'score_threshold'; expected scale, score_thr, nms_pre, iou_threshold, max_per_img, mask_thr", e.Message);
        File.WriteAllText(dir.File("m.pth.json"), """{"nms_pre": "many"}""");
        Assert.Contains("'nms_pre' must be a number, found String", Assert.Throws<ImporterException>(() => Checkpoint.Load(pth)).Message);
        File.WriteAllText(dir.File("m.pth.json"), """{"max_per_img": 0}""");
        Assert.Contains("max_per_img must be an integer from 1 to 1000000, found 0", Assert.Throws<ImporterException>(() => Checkpoint.Load(pth)).Message);
        File.WriteAllText(dir.File("m.pth.json"), "{not json");
        Assert.Contains($"sidecar {dir.File("m.pth.json")}: not valid JSON", Assert.Throws<ImporterException>(() => Checkpoint.Load(pth)).Message);
    }

    [Fact]
    public void JsonRoundTrip()
    {
        var s = new TestSettings(1333, 800, 0.05f, 1000, 0.6f, 100, 0.5f, "x");
        Assert.Equal(s, SettingsResolver.FromJson(SettingsResolver.ToJson(s), "x"));
    }

    [Fact]
    public void ConfigReaderSurvivesDamagedText()
    {
        // The reader never throws on text it cannot read: it skips statements. Only range errors of values it did read
        // become ImporterExceptions. 500 seeded edits of the fixture's real config text.
        using var ckpt = Checkpoint.Load(ImporterFiles.Mini);
        string config = (string)ckpt.Meta["config"]!;
        var rng = new Random(7);
        const string alphabet = "()[]{},:=.'\"#\n\\ -+*/0123456789eabdictTrueNone_";
        int read = 0;
        for (int i = 0; i < 500; i++)
        {
            var text = new System.Text.StringBuilder(config);
            for (int k = rng.Next(1, 6); k > 0; k--)
            {
                int at = rng.Next(text.Length);
                if (rng.Next(2) == 0) text.Remove(at, Math.Min(rng.Next(1, 30), text.Length - at));
                else text.Insert(at, alphabet[rng.Next(alphabet.Length)]);
            }
            try
            {
                if (SettingsResolver.FromConfigText(text.ToString()) is { ScaleLong: 448, ScaleShort: 280 }) read++;
            }
            catch (ImporterException)
            {
            }
        }
        // Most small edits leave the Resize scale readable.
        Assert.InRange(read, 250, 500);
    }
}
