using CondInst.Kernels.Model;

namespace CondInst.Kernels.Benchmarks.Soak;

/// <summary>Bit-for-bit comparison of two results of the same image: the soak's check against a second model.</summary>
public static class SoakCompare
{
    /// <summary>Null when both results are identical; otherwise the first difference, in words.</summary>
    public static string? FirstDifference(DetectionResult a, DetectionResult b)
    {
        if (a.Instances.Count != b.Instances.Count) return $"{a.Instances.Count} instances against {b.Instances.Count}";
        for (int i = 0; i < a.Instances.Count; i++)
        {
            Detection p = a.Instances[i], q = b.Instances[i];
            // Floats compared as bits: "the same results" means the same numbers, not close ones.
            float[] x = [p.X1, p.Y1, p.X2, p.Y2, p.Score], y = [q.X1, q.Y1, q.X2, q.Y2, q.Score];
            for (int k = 0; k < x.Length; k++)
                if (BitConverter.SingleToInt32Bits(x[k]) != BitConverter.SingleToInt32Bits(y[k]))
                    return $"instance {i}: box/score value {k} is {x[k]:R} against {y[k]:R}";
            if (p.Label != q.Label) return $"instance {i}: label {p.Label} against {q.Label}";
            // Run lengths over the whole image: equal masks whatever crop each compact mask keeps.
            var r = p.ToRle();
            var s = q.ToRle();
            if (r.Height != s.Height || r.Width != s.Width || !r.Counts.SequenceEqual(s.Counts))
                return $"instance {i}: masks differ (areas {r.Area} and {s.Area})";
        }
        return null;
    }
}
