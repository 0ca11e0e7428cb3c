using System.Text;
using CondInst.Kernels.Coco;

namespace CondInst.Kernels.Tests.Coco;

/// <summary>Bad annotation and results files: one line naming the file and the field, what was expected and what was found.</summary>
public sealed class CocoReadErrorTests
{
    private const string Gt = """
        {"images": [{"id": 7, "file_name": "a.png", "width": 10, "height": 8}],
         "categories": [{"id": 1, "name": "one"}],
         "annotations": [{"id": 1, "image_id": 7, "category_id": 1, "bbox": [1, 1, 3, 3], "area": 9, "iscrowd": 0,
                          "segmentation": [[1, 1, 4, 1, 4, 4, 1, 4]]}]}
        """;

    private static CocoDataset Dataset(string json = Gt) => CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json");

    private static string ResultsError(string json) =>
        Assert.Throws<CocoFormatException>(() => CocoResults.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "r.json", Dataset())).Message;

    [Theory]
    [InlineData("""[{"image_id": "a", "category_id": 1, "score": 0.5, "bbox": [0, 0, 1, 1]}]""", "r.json: [0].image_id: expected an image id of gt.json (an integer), found the string \"a\"")]
    [InlineData("""[{"image_id": 8, "category_id": 1, "score": 0.5, "bbox": [0, 0, 1, 1]}]""", "r.json: [0].image_id: 8 is not an image id of gt.json")]
    [InlineData("""[{"image_id": 7, "category_id": 1, "bbox": [0, 0, 1, 1]}]""", "r.json: [0].score: missing")]
    [InlineData("""[{"image_id": 7, "category_id": 1, "score": 0.5, "bbox": [0, 0, 1]}]""", "r.json: [0].bbox: expected 4 numbers, found 3")]
    [InlineData("""[{"image_id": 7, "category_id": 1, "score": 0.5, "bbox": [0, 0, 1, 1]}, {"image_id": 7, "category_id": 1, "score": 0.5}]""", "r.json: [1].bbox: missing (the first entry has a box")]
    [InlineData("""[{"image_id": 7, "category_id": 1, "score": 0.5, "segmentation": {"size": [9, 10], "counts": "0"}}]""", "r.json: [0].segmentation.size: expected the image's size [8, 10] (image 7), found [9, 10]")]
    [InlineData("""[{"image_id": 7, "category_id": 1, "score": 0.5, "segmentation": {"size": [8, 10], "counts": "0p"}}]""", "r.json: [0].segmentation.counts: counts text has 'p' at 1")]
    [InlineData("""{"image_id": 7}""", "r.json: $: expected an array, found an object")]
    public void ResultsErrorsNameTheEntryAndField(string json, string expected) => Assert.StartsWith(expected, ResultsError(json));

    [Theory]
    [InlineData("\"area\": 9, ", "", "gt.json: annotations[0].area: missing")]
    [InlineData("\"image_id\": 7, \"category_id\"", "\"image_id\": 9, \"category_id\"", "gt.json: annotations[0].image_id: 9 is not the id of an entry of images")]
    [InlineData("\"width\": 10", "\"width\": 0", "gt.json: images[0]: expected a positive size")]
    [InlineData("\"iscrowd\": 0", "\"iscrowd\": 2", "gt.json: annotations[0].iscrowd: expected 0, 1, true or false, found the number 2")]
    [InlineData("[[1, 1, 4, 1, 4, 4, 1, 4]]", "[[1, 1, 4]]", "gt.json: annotations[0].segmentation[0]: expected a polygon")]
    public void AnnotationErrorsNameTheField(string from, string to, string expected)
    {
        var e = Assert.Throws<CocoFormatException>(() => Dataset(Gt.Replace(from, to, StringComparison.Ordinal)));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void NotJsonSaysSo()
    {
        var e = Assert.Throws<CocoFormatException>(() => Dataset("{\"images\": ["));
        Assert.StartsWith("gt.json: not valid JSON", e.Message);
    }

    [Fact]
    public void BoxOnlyAnnotationsScoreBoxesButNotMasks()
    {
        var gt = Dataset(Gt.Replace("\"segmentation\": [[1, 1, 4, 1, 4, 4, 1, 4]]", "\"segmentation\": []", StringComparison.Ordinal));
        var dt = CocoResults.Read(new MemoryStream("""[{"image_id": 7, "category_id": 1, "score": 0.5, "bbox": [1, 1, 3, 3]}]"""u8.ToArray()), "r.json", gt);
        Assert.Equal(1.0, CocoEvaluator.Evaluate(gt, dt, CocoIouType.Bbox).Stats[0], 12);
        var e = Assert.Throws<CocoFormatException>(() => CocoEvaluator.Evaluate(gt, dt, CocoIouType.Segm));
        Assert.Equal("gt.json: annotation 1: segmentation missing or empty (needed to score masks)", e.Message);
    }
}
