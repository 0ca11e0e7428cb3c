using System.Diagnostics;
using System.Globalization;

namespace CondInst.Kernels.Fuzz;

/// <summary>
/// The long fuzzing run. The parent starts worker processes (this program with <c>--worker</c>), each with a
/// managed-heap hard limit of the memory ceiling and a watchdog thread that ends the worker when a case runs past the
/// time limit or the process's working set passes the ceiling; the parent records that case as a finding and starts
/// a new worker at the next case. So a blow-up or a hang is a row in the table, not the end of the run.
/// </summary>
public static class Program
{
    private const string Usage = """
        condinst-fuzz [--cases N] [--seconds S] [--seed S] [--ceiling-mib M] [--case-timeout-s T] [--batch N]
          --cases N          cases to run (default 1000000)
          --seconds S        stop after S seconds even if fewer cases ran (default: no limit)
          --seed S           seed (default 20261207); case i of seed S is always the same input
          --ceiling-mib M    memory ceiling per worker process (default 1024)
          --case-timeout-s T a case running longer is a hang (default 10)
          --batch N          cases per worker process (default 100000)
          --replay I FILE    write case I's input to FILE and run it here (to reproduce a finding)
        prints cases/s while running, then the outcome table and the findings.
        """;

    public static int Main(string[] args)
    {
        var opt = Parse(args);
        if (opt is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        if (opt.ReplayFile is not null)
        {
            var targets = Targets.All();
            var target = targets[(int)(opt.From % targets.Count)];
            byte[] input = target.Make(CaseRunner.For(opt.Seed, opt.From));
            File.WriteAllBytes(opt.ReplayFile, input);
            Console.WriteLine($"case {opt.From}: target '{target.Name}', {input.Length} bytes written to {opt.ReplayFile}");
            Console.WriteLine(CaseRunner.Run(target, input));
            return 0;
        }
        return opt.Worker ? Worker(opt) : Parent(opt);
    }

    private sealed record Options(long Cases, double Seconds, int Seed, long CeilingMiB, double CaseTimeout, long Batch, bool Worker, long From, long To, HashSet<long> Skip, string? ReplayFile = null);

    private static Options? Parse(string[] args)
    {
        var o = new Options(1_000_000, double.PositiveInfinity, 20261207, 1024, 10, 100_000, false, 0, 0, []);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            long L() => long.Parse(Next(), CultureInfo.InvariantCulture);
            double D() => double.Parse(Next(), CultureInfo.InvariantCulture);
            try
            {
                o = args[i] switch
                {
                    "--cases" => o with { Cases = L() },
                    "--seconds" => o with { Seconds = D() },
                    "--seed" => o with { Seed = (int)L() },
                    "--ceiling-mib" => o with { CeilingMiB = L() },
                    "--case-timeout-s" => o with { CaseTimeout = D() },
                    "--batch" => o with { Batch = L() },
                    "--worker" => o with { Worker = true },
                    "--replay" => o with { From = L(), ReplayFile = Next() },
                    "--from" => o with { From = L() },
                    "--to" => o with { To = L() },
                    "--skip" => o with { Skip = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => long.Parse(x, CultureInfo.InvariantCulture))] },
                    _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
                };
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return null;
            }
        }
        return o.Cases > 0 && o.CeilingMiB > 0 && o.CaseTimeout > 0 && o.Batch > 0 ? o : null;
    }

    // Worker protocol on stdout: "AT i" every 1000 cases, "FINDING outcome i target detail" for untyped exceptions,
    // "BREACH hang|memory i target bytes" just before the watchdog ends the process, and at the end
    // "COUNT target outcome n" lines and "PEAK bytes".
    private static int Worker(Options o)
    {
        var targets = Targets.All();
        long current = -1, startedAt = 0;
        string currentTarget = "";
        long peak = 0, ceiling = o.CeilingMiB << 20;
        var watchdog = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(2);
                long ws = Environment.WorkingSet;
                peak = Math.Max(peak, ws);
                long i = Interlocked.Read(ref current);
                string? breach = ws > ceiling ? "memory" : i >= 0 && Stopwatch.GetElapsedTime(Interlocked.Read(ref startedAt)).TotalSeconds > o.CaseTimeout ? "hang" : null;
                if (breach is null) continue;
                Console.Out.WriteLine($"BREACH {breach} {i} {currentTarget}\t{ws}");
                Console.Out.Flush();
                Environment.Exit(3);
            }
        })
        { IsBackground = true };
        watchdog.Start();
        var tally = new Tally();
        void Flush()
        {
            // Counts so far, so that a worker ended by the watchdog loses at most the last thousand cases' counts.
            foreach (var f in tally.Findings) Console.Out.WriteLine($"FINDING {f.ReplaceLineEndings(" ")}");
            foreach (var ((target, outcome), n) in tally.Counts) Console.Out.WriteLine($"COUNT {outcome} {n} {target}");
            tally.Counts.Clear();
            tally.Findings.Clear();
        }
        Session.Run(targets, o.Seed, o.From, o.To, o.Skip, (i, t) =>
        {
            currentTarget = t.Name;
            if (i % 1000 == 0)
            {
                Flush();
                Console.Out.WriteLine($"AT {i}");
            }
            Interlocked.Exchange(ref startedAt, Stopwatch.GetTimestamp());
            Interlocked.Exchange(ref current, i);
        }, tally);
        Interlocked.Exchange(ref current, -1);
        Flush();
        Console.Out.WriteLine($"PEAK {peak}");
        return 0;
    }

    private static int Parent(Options o)
    {
        var tally = new Tally();
        var clock = Stopwatch.StartNew();
        long next = 0, lastReport = 0;
        var skip = new HashSet<long>(); // cases that ended a worker: counted once as findings, skipped when the batch reruns
        string self = Environment.ProcessPath!;
        string dll = typeof(Program).Assembly.Location;
        Console.WriteLine($"fuzzing {o.Cases} cases, seed {o.Seed}, ceiling {o.CeilingMiB} MiB per worker, hang after {o.CaseTimeout} s; {Targets.All().Count} targets");
        while (next < o.Cases && clock.Elapsed.TotalSeconds < o.Seconds)
        {
            long to = Math.Min(o.Cases, next + o.Batch);
            var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(dll);
            foreach (var a in new[] { "--worker", "--seed", $"{o.Seed}", "--from", $"{next}", "--to", $"{to}", "--ceiling-mib", $"{o.CeilingMiB}", "--case-timeout-s", o.CaseTimeout.ToString(CultureInfo.InvariantCulture), "--skip", string.Join(',', skip.Where(k => k >= next && k < to)) + "," })
                psi.ArgumentList.Add(a);
            // Managed allocations past the ceiling fail in the worker as OutOfMemoryException (an over-memory finding).
            psi.Environment["DOTNET_GCHeapHardLimit"] = $"0x{o.CeilingMiB << 20:X}";
            using var worker = Process.Start(psi)!;
            long at = next, breachAt = -1, batchStart = next;
            string? line;
            while ((line = worker.StandardOutput.ReadLine()) is not null)
            {
                var parts = line.Split(' ', 4);
                switch (parts[0])
                {
                    case "AT":
                        at = long.Parse(parts[1], CultureInfo.InvariantCulture);
                        if (clock.Elapsed.TotalSeconds - lastReport >= 10)
                        {
                            lastReport = (long)clock.Elapsed.TotalSeconds;
                            Console.WriteLine($"  case {at}: {tally.Cases} counted, {tally.Cases / clock.Elapsed.TotalSeconds:F0} cases/s");
                            if (clock.Elapsed.TotalSeconds >= o.Seconds) worker.Kill();
                        }
                        break;
                    case "COUNT":
                        tally.Add(parts[3], Enum.Parse<Outcome>(parts[1]), long.Parse(parts[2], CultureInfo.InvariantCulture));
                        break;
                    case "PEAK":
                        tally.PeakBytes = Math.Max(tally.PeakBytes, long.Parse(parts[1], CultureInfo.InvariantCulture));
                        break;
                    case "FINDING":
                        if (tally.Findings.Count < 50) tally.Findings.Add(line[8..]);
                        break;
                    case "BREACH":
                        breachAt = long.Parse(parts[2], CultureInfo.InvariantCulture);
                        var rest = parts[3].Split('\t');
                        tally.Add(rest[0], parts[1] == "hang" ? Outcome.Hang : Outcome.OverMemory);
                        tally.Findings.Add($"{parts[1]} case {breachAt} (seed {o.Seed}, target '{rest[0]}'), working set {rest[1]} bytes");
                        tally.PeakBytes = Math.Max(tally.PeakBytes, long.Parse(rest[1], CultureInfo.InvariantCulture));
                        break;
                }
            }
            worker.WaitForExit();
            if (breachAt >= 0)
            {
                // Counts arrived up to the last thousand: the new worker starts there, without the breaching case.
                Console.WriteLine($"  worker ended at case {breachAt}: {tally.Findings[^1]}");
                skip.Add(breachAt);
                next = at;
            }
            else if (worker.ExitCode != 0 && clock.Elapsed.TotalSeconds < o.Seconds)
            {
                // Killed from outside (e.g. the kernel's OOM killer): the case is somewhere in the next thousand.
                tally.Findings.Add($"worker for cases [{batchStart}, {to}) died with code {worker.ExitCode} after case {at}; cases [{at}, {at + 1000}) skipped");
                for (long k = at; k < at + 1000; k++) skip.Add(k);
                next = at;
            }
            else
            {
                next = to;
            }
        }
        double s = clock.Elapsed.TotalSeconds;
        Console.WriteLine();
        Console.WriteLine($"{tally.Cases} cases counted in {s:F0} s ({tally.Cases / s:F0} cases/s), seed {o.Seed}");
        Console.WriteLine($"untyped exceptions {tally.Of(Outcome.Untyped)}, hangs {tally.Of(Outcome.Hang)}, over {o.CeilingMiB} MiB {tally.Of(Outcome.OverMemory)}, largest worker working set {tally.PeakBytes / (1 << 20)} MiB");
        Console.WriteLine();
        Console.Write(tally.Table());
        foreach (var f in tally.Findings) Console.WriteLine("  " + f);
        return tally.Of(Outcome.Untyped) + tally.Of(Outcome.Hang) + tally.Of(Outcome.OverMemory) == 0 ? 0 : 1;
    }
}
