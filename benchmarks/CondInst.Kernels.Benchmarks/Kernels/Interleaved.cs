using System.Diagnostics;
using System.Globalization;

namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// Timing of contenders interleaved in one process (the `stem`, `strided` and `convtable` commands): round after
/// round each runs once, in an order rotating by one per round, so that a neighbour's load or the clock's drift
/// falls on all of them alike; two warm-up rounds are not counted.
/// </summary>
public static class Interleaved
{
    /// <summary>Warm-up rounds before the timed ones.</summary>
    public const int WarmupRounds = 2;

    /// <summary>Milliseconds of each contender's timed runs, in the contenders' order.</summary>
    public static List<double>[] Time(int rounds, IReadOnlyList<Action> runs)
    {
        var times = runs.Select(_ => new List<double>()).ToArray();
        for (int round = -WarmupRounds; round < rounds; round++)
            for (int j = 0; j < runs.Count; j++)
            {
                int a = (j + Math.Max(round, 0)) % runs.Count;
                var sw = Stopwatch.StartNew();
                runs[a]();
                double ms = sw.Elapsed.TotalMilliseconds;
                if (round >= 0) times[a].Add(ms);
            }
        return times;
    }

    /// <summary>The median of the values.</summary>
    public static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>n values uniform in [-scale, scale).</summary>
    public static float[] Floats(Random rng, long n, float scale)
    {
        var v = new float[n];
        for (long i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return v;
    }

    /// <summary>Formats with the invariant culture.</summary>
    public static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
