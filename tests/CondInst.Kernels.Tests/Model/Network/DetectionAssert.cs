using CondInst.Kernels.Model;

namespace CondInst.Kernels.Tests.Model.Network;

/// <summary>The criteria for final results: same count and labels, boxes within 0.5 px, scores within 1e-3, mask IoU ≥ 0.99.</summary>
public static class DetectionAssert
{
    public static void SameAsMmdetection(DetectionResult p, float[] boxes, float[] scores, int[] labels, byte[] masks, string what)
    {
        int n = labels.Length;
        Assert.True(p.Instances.Count == n, $"{what}: {p.Instances.Count} instances, mmdetection found {n}");
        int size = p.Width * p.Height;
        Assert.Equal(n * size, masks.Length);
        for (int i = 0; i < n; i++)
        {
            var d = p.Instances[i];
            var mask = d.ToFullMask();
            Assert.True(d.Label == labels[i], $"{what}: instance {i} label {d.Label}, mmdetection {labels[i]}");
            Assert.True(Math.Abs(d.Score - scores[i]) <= 1e-3, $"{what}: instance {i} score {d.Score}, mmdetection {scores[i]}");
            float[] mine = [d.X1, d.Y1, d.X2, d.Y2];
            for (int c = 0; c < 4; c++)
                Assert.True(Math.Abs(mine[c] - boxes[4 * i + c]) <= 0.5f, $"{what}: instance {i} box[{c}] {mine[c]}, mmdetection {boxes[4 * i + c]}");
            int inter = 0, union = 0;
            for (int k = 0; k < size; k++)
            {
                bool a = mask[k] != 0, b = masks[i * size + k] != 0;
                if (a && b) inter++;
                if (a || b) union++;
            }
            double iou = union == 0 ? 1 : (double)inter / union;
            Assert.True(iou >= 0.99, $"{what}: instance {i} mask IoU {iou:F4} with mmdetection's");
        }
    }
}
