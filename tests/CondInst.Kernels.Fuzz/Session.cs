namespace CondInst.Kernels.Fuzz;

/// <summary>Counts per target and outcome, the largest memory seen, and the first findings (to replay by seed and index).</summary>
public sealed class Tally
{
    public Dictionary<(string Target, Outcome Outcome), long> Counts { get; } = [];

    public List<string> Findings { get; } = [];

    public long Cases { get; set; }

    /// <summary>Largest per-case figure seen: managed bytes allocated (in process) or the worker's working set (out of process).</summary>
    public long PeakBytes { get; set; }

    public void Add(string target, Outcome outcome, long n = 1)
    {
        Counts[(target, outcome)] = Counts.GetValueOrDefault((target, outcome)) + n;
        Cases += n;
    }

    public long Of(Outcome o) => Counts.Where(kv => kv.Key.Outcome == o).Sum(kv => kv.Value);

    /// <summary>The outcome table: one row per target, one column per outcome.</summary>
    public string Table()
    {
        var outcomes = Enum.GetValues<Outcome>();
        var targets = Counts.Keys.Select(k => k.Target).Distinct().ToList();
        int w = Math.Max(6, targets.Count == 0 ? 0 : targets.Max(t => t.Length));
        var sb = new System.Text.StringBuilder();
        sb.Append("| " + "target".PadRight(w) + " |");
        foreach (var o in outcomes) sb.Append($" {o,10} |");
        sb.AppendLine();
        sb.Append("|" + new string('-', w + 2) + "|" + string.Concat(outcomes.Select(_ => new string('-', 12) + "|"))).AppendLine();
        foreach (var t in targets.Append("total"))
        {
            sb.Append("| " + t.PadRight(w) + " |");
            foreach (var o in outcomes)
                sb.Append($" {(t == "total" ? Of(o) : Counts.GetValueOrDefault((t, o))),10} |");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}

/// <summary>Runs cases in this process (the short seeded run inside the test suite, and each worker of the long run).</summary>
public static class Session
{
    /// <summary>
    /// Runs cases [<paramref name="from"/>, <paramref name="to"/>) round-robin over <paramref name="targets"/>;
    /// <paramref name="started"/> is told each case's index and target before it runs (the watchdog's view).
    /// </summary>
    public static Tally Run(IReadOnlyList<Target> targets, int seed, long from, long to, IReadOnlySet<long>? skip = null, Action<long, Target>? started = null, Tally? into = null)
    {
        var tally = into ?? new Tally();
        for (long i = from; i < to; i++)
        {
            if (skip?.Contains(i) == true) continue;
            var target = targets[(int)(i % targets.Count)];
            started?.Invoke(i, target);
            byte[] input = target.Make(CaseRunner.For(seed, i));
            long before = GC.GetAllocatedBytesForCurrentThread();
            var (outcome, detail) = CaseRunner.Run(target, input);
            tally.PeakBytes = Math.Max(tally.PeakBytes, GC.GetAllocatedBytesForCurrentThread() - before);
            tally.Add(target.Name, outcome);
            if (detail is not null && tally.Findings.Count < 20)
                tally.Findings.Add($"{outcome} case {i} (seed {seed}, target '{target.Name}'): {detail}");
        }
        return tally;
    }
}
