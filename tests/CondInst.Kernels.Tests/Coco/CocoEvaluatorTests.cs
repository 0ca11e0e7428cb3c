using System.Text.Json;
using CondInst.Kernels.Coco;

namespace CondInst.Kernels.Tests.Coco;

/// <summary>
/// <see cref="CocoEvaluator"/> against pycocotools' COCOeval on every case of expected.json: the hand-made ones (crowd
/// region, empty image, image without annotations, more than 100 detections on one image, categories without ground
/// truth or never detected, tied scores, every area range, polygon / RLE / uncompressed ground truth, results with
/// and without boxes) and the shapes set (the shipped model's results on generated shapes images).
/// </summary>
public sealed class CocoEvaluatorTests
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> Cases => CocoData.CaseData;

    private static (CocoDataset Gt, IReadOnlyList<CocoDetection> Dt) Load(string key)
    {
        string folder = key.Split('/')[0];
        var gt = CocoDataset.Load(CocoData.File(Path.Combine(folder, "gt.json")));
        return (gt, CocoResults.Load(CocoData.File(key), gt));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TwelveNumbersEqualPycocotools(string key)
    {
        var (gt, dt) = Load(key);
        foreach (var type in new[] { CocoIouType.Bbox, CocoIouType.Segm })
        {
            var expected = CocoData.Expected.GetProperty(key).GetProperty(CocoReport.Name(type));
            var ev = CocoEvaluator.Evaluate(gt, dt, type);
            var stats = expected.GetProperty("stats").Doubles();
            Assert.Equal(12, ev.Stats.Count);
            for (int i = 0; i < 12; i++)
                Assert.True(Math.Abs(stats[i] - ev.Stats[i]) <= Tolerance, $"{key} {type} stats[{i}]: pycocotools {stats[i]}, ours {ev.Stats[i]}");
            // The printed summary, character for character.
            Assert.Equal(expected.GetProperty("summary").EnumerateArray().Select(l => l.GetString()), ev.SummaryLines());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PerClassApEqualsPycocotoolsPrecisionMeans(string key)
    {
        var (gt, dt) = Load(key);
        foreach (var type in new[] { CocoIouType.Bbox, CocoIouType.Segm })
        {
            var ev = CocoEvaluator.Evaluate(gt, dt, type);
            var rows = CocoData.Expected.GetProperty(key).GetProperty(CocoReport.Name(type)).GetProperty("per_class").EnumerateArray().ToList();
            Assert.Equal(rows.Count, ev.PerClass.Count);
            for (int k = 0; k < rows.Count; k++)
            {
                var c = ev.PerClass[k];
                Assert.Equal(rows[k].GetProperty("category_id").GetInt64(), c.Category.Id);
                Assert.Equal(rows[k].GetProperty("ap").GetDouble(), c.Ap, Tolerance);
                Assert.Equal(rows[k].GetProperty("ap50").GetDouble(), c.Ap50, Tolerance);
                Assert.Equal(rows[k].GetProperty("ap75").GetDouble(), c.Ap75, Tolerance);
            }
        }
    }

    [Fact]
    public void TheCasesCoverWhatTheyClaim()
    {
        // The hand-made cases are only worth their numbers if they hold the situations named above.
        var (crowd, crowdDt) = Load("crowd/results.json");
        Assert.Contains(crowd.Annotations, a => a.IsCrowd);
        Assert.Contains(crowd.Images, i => !crowd.Annotations.Any(a => a.ImageId == i.Id) && crowdDt.Any(d => d.ImageId == i.Id));
        Assert.Contains(crowd.Images, i => !crowd.Annotations.Any(a => a.ImageId == i.Id) && !crowdDt.Any(d => d.ImageId == i.Id));
        Assert.Contains(crowd.Categories, c => !crowd.Annotations.Any(a => a.CategoryId == c.Id) && crowdDt.Any(d => d.CategoryId == c.Id));
        Assert.Contains(crowd.Categories, c => crowd.Annotations.Any(a => a.CategoryId == c.Id) && !crowdDt.Any(d => d.CategoryId == c.Id));
        Assert.Contains(crowd.Annotations, a => a.Segmentation?.Rle != null);
        Assert.True(crowdDt.GroupBy(d => d.Score).Any(g => g.Count() > 1), "no tied scores");
        Assert.Equal(1, CocoEvaluator.Evaluate(crowd, crowdDt, CocoIouType.Bbox).SkippedDetections);

        var (many, manyDt) = Load("many/results.json");
        Assert.True(manyDt.Count(d => d.ImageId == many.Images[0].Id) > 100);
        foreach (var (min, max) in CocoEvalParams.AreaRanges.Skip(1))
            Assert.Contains(many.Annotations, a => a.Area >= min && a.Area <= max);

        var (shapes, shapesDt) = Load("shapes/results.json");
        Assert.True(shapes.Images.Count >= 10 && shapesDt.Count > 100);
        var ev = CocoEvaluator.Evaluate(shapes, shapesDt, CocoIouType.Segm);
        Assert.InRange(ev.Stats[1], 0.5, 1.0); // the shipped model finds the shapes: AP50 well above chance
    }

    [Fact]
    public void JsonHoldsStatsAndPerClassForBothKinds()
    {
        var (gt, dt) = Load("crowd/results.json");
        var evs = new[] { CocoIouType.Bbox, CocoIouType.Segm }.Select(t => CocoEvaluator.Evaluate(gt, dt, t)).ToList();
        using var stream = new MemoryStream();
        CocoReport.WriteJson(stream, evs);
        using var doc = JsonDocument.Parse(stream.ToArray());
        foreach (var kind in new[] { "bbox", "segm" })
        {
            var stats = doc.RootElement.GetProperty(kind).GetProperty("stats").Doubles();
            Assert.Equal(CocoData.Expected.GetProperty("crowd/results.json").GetProperty(kind).GetProperty("stats").Doubles(), stats, new ToleranceComparer(Tolerance));
            var perClass = doc.RootElement.GetProperty("per_class").GetProperty(kind).EnumerateArray().ToList();
            Assert.Equal(["a", "b", "c", "d", "e"], perClass.Select(p => p.GetProperty("name").GetString()));
            Assert.Equal(0, perClass[3].GetProperty("ap").GetDouble()); // ground truth never detected
            Assert.Equal(-1, perClass[4].GetProperty("ap").GetDouble()); // no ground truth, no detections
        }
        string text = CocoReport.ToText(evs);
        Assert.Contains("Evaluate annotation type *segm*", text);
        Assert.Contains("category | bbox AP   AP50   AP75 | segm AP   AP50   AP75", text);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
