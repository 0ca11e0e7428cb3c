namespace CondInst.Kernels;

// The pool's passes: what a pass requested and returned, the plans made from it, and the arena that serves them.
public sealed partial class BufferPool<TBuffer>
{
    // A pass's requests and where they go: Events[k] >= 0 is a request of that many bytes, ~i the return of request
    // i; Offsets[i] the arena offset of request i, -1 for a buffer of its own (requests held past the pass's end).
    private sealed class Plan(long[] events, long[] offsets, long arenaBytes)
    {
        public long[] Events { get; } = events;

        public long[] Offsets { get; } = offsets;

        public long ArenaBytes { get; } = arenaBytes;

        public int LastPass;
    }

    /// <summary>
    /// Requests and returns a pass may make and still be planned. A longer pass (a backend used without passes, or a
    /// pass far larger than a network's: an R-50 prediction makes 268) stops recording there and runs on buffers of
    /// its own, so that the record stays small and the plan's placement, quadratic in the requests, stays quick.
    /// </summary>
    public const int MaxPlanEvents = 1 << 14;

    private readonly List<Plan> _plans = new();
    private readonly List<long> _events = new();
    private readonly List<int> _rentStart = new(), _rentEnd = new(); // events of each request and its return (int.MaxValue: not returned)
    private readonly Dictionary<long, int> _arenaLive = new(); // arena blocks in use: offset -> request of this pass (-1: of an earlier pass)
    private Slot? _arena;
    private long _arenaInUse;
    private bool _arenaOpen; // the arena serves this pass: none of it was in use when the pass began
    private Plan? _follow; // the plan whose events this pass has repeated so far
    private bool _tail; // the pass missed its plan after repeating part of it
    private bool _recording = true; // false once the pass has made more than MaxPlanEvents events
    private int _pass;

    // Records a request and returns its index in the pass (-1 once the pass is too long to record).
    private int Request(long bytes)
    {
        if (!_recording || _events.Count >= MaxPlanEvents)
        {
            StopRecording();
            return -1;
        }
        int index = _rentStart.Count;
        Record(bytes);
        _rentStart.Add(_events.Count - 1);
        _rentEnd.Add(int.MaxValue);
        return index;
    }

    private void Returned(int rent)
    {
        if (!_recording) return;
        if (_events.Count >= MaxPlanEvents)
        {
            StopRecording();
            return;
        }
        Record(~(long)rent);
        _rentEnd[rent] = _events.Count - 1;
    }

    // Appends an event. When the followed plan made another one here, the pass switches to the most recent plan
    // that made the same events so far, but only while none of the arena is in use: a plan's offsets avoid the
    // blocks that plan placed, not those another placed. Otherwise the rest of the pass is unplanned.
    private void Record(long e)
    {
        int k = _events.Count;
        _events.Add(e);
        if (_follow == null || (k < _follow.Events.Length && _follow.Events[k] == e)) return;
        var repeated = _events.ToArray();
        _follow = _arenaLive.Count > 0 ? null : _plans
            .Where(p => p.Events.Length > k && p.Events.AsSpan(0, k + 1).SequenceEqual(repeated))
            .MaxBy(p => p.LastPass);
        if (_follow == null) _tail = k > 0;
    }

    private void StopRecording()
    {
        if (!_recording) return;
        _recording = false;
        _follow = null;
        _tail = true;
        _events.Clear();
        _events.TrimExcess();
        _rentStart.Clear();
        _rentStart.TrimExcess();
        _rentEnd.Clear();
        _rentEnd.TrimExcess();
    }

    // The arena offset the followed plan gives request `index`, or null for a buffer of its own.
    private long? PlannedOffset(int index)
    {
        if (index < 0 || !_arenaOpen || _follow == null || index >= _follow.Offsets.Length) return null;
        long offset = _follow.Offsets[index];
        long size = BlockSize(_events[_rentStart[index]]);
        return offset >= 0 && offset + size <= _arena!.Size ? offset : null;
    }

    /// <summary>
    /// Ends a pass (one inference, say): keeps the plan of its requests (made now unless an earlier pass of the
    /// window made the same ones), sizes the arena to the kept plans, frees what no kept plan needs, and starts the
    /// next pass.
    /// </summary>
    public void EndPass()
    {
        lock (_lock)
        {
            if (_disposed) return;
            if (_recording)
            {
                var events = _events.ToArray();
                var plan = _plans.Find(p => p.Events.AsSpan().SequenceEqual(events));
                if (plan == null)
                {
                    plan = MakePlan(events);
                    _plans.Add(plan);
                }
                plan.LastPass = _pass;
            }
            _plans.RemoveAll(p => p.LastPass <= _pass - PassWindow);
            for (int i = _slots.Count - 1; i >= 0; i--)
            {
                var s = _slots[i];
                if (!s.Free || s.LastTailPass > _pass - PassWindow) continue;
                BytesFree -= s.Size;
                Drop(s);
            }
            long need = _plans.Count == 0 ? 0 : _plans.Max(p => p.ArenaBytes);
            // The arena is made 1/32 larger than asked, so that plans differing a little (another number of
            // detections) do not remake it; it shrinks once the kept plans need 1/16 less.
            long size = _arena?.Size ?? 0;
            if (_arenaLive.Count == 0 && (need > size || need < size - size / 16)) SetArena(ArenaSize(need));
            _pass++;
            StartPass();
        }
    }

    private void StartPass()
    {
        _events.Clear();
        _rentStart.Clear();
        _rentEnd.Clear();
        foreach (long offset in _arenaLive.Keys.ToList()) _arenaLive[offset] = -1;
        foreach (var s in _slots) s.Rent = -1;
        _arenaOpen = _arena != null && _arenaLive.Count == 0;
        _follow = _plans.MaxBy(p => p.LastPass);
        _tail = false;
        _recording = true;
    }

    /// <summary>
    /// The size of an arena block for a request of <paramref name="bytes"/>: whole <see cref="MinClassBytes"/>, at
    /// least one (blocks of no bytes would share offsets). No size class: a plan places exact sizes.
    /// </summary>
    public static long BlockSize(long bytes) => Math.Max(MinClassBytes, (bytes + MinClassBytes - 1) / MinClassBytes * MinClassBytes);

    /// <summary>The size an arena for plans of <paramref name="bytes"/> is made: 1/32 more, in whole <see cref="MinClassBytes"/>.</summary>
    public static long ArenaSize(long bytes) => (bytes + bytes / 32 + MinClassBytes - 1) / MinClassBytes * MinClassBytes;

    // Replaces the arena (none of it in use) by one of `bytes` (0: none). Out of memory leaves no arena, and the
    // next passes unplanned until an end of pass manages to make one.
    private void SetArena(long bytes)
    {
        if (_arena != null)
        {
            BytesFree -= _arena.Size;
            _arena.Buffer.Dispose();
            _arena = null;
        }
        if (bytes == 0) return;
        try
        {
            _arena = new Slot(_allocate(bytes), bytes);
        }
        catch (OutOfMemoryException)
        {
            return;
        }
        Allocations++;
        BytesFree += bytes;
    }

    // Places this pass's requests in the arena so that requests alive at the same time never overlap: largest first
    // (ties: earliest), each at the lowest offset clear of the blocks already placed whose lifetimes, half-open event
    // ranges [request, return), meet its own. Requests held past the pass's end get buffers of their own.
    private Plan MakePlan(long[] events)
    {
        int n = _rentStart.Count;
        var offsets = new long[n];
        var size = new long[n];
        var order = new List<int>();
        for (int i = 0; i < n; i++)
        {
            offsets[i] = -1;
            size[i] = BlockSize(events[_rentStart[i]]);
            if (_rentEnd[i] != int.MaxValue) order.Add(i);
        }
        order.Sort((a, b) => size[a] != size[b] ? size[b].CompareTo(size[a]) : _rentStart[a].CompareTo(_rentStart[b]));
        var placed = new List<int>();
        var clash = new List<(long Offset, long End)>();
        long arena = 0;
        foreach (int i in order)
        {
            clash.Clear();
            foreach (int j in placed)
                if (_rentStart[j] < _rentEnd[i] && _rentStart[i] < _rentEnd[j]) clash.Add((offsets[j], offsets[j] + size[j]));
            clash.Sort();
            long at = 0;
            foreach (var (o, end) in clash)
            {
                if (at + size[i] <= o) break;
                at = Math.Max(at, end);
            }
            offsets[i] = at;
            placed.Add(i);
            arena = Math.Max(arena, at + size[i]);
        }
        if (arena > _maxBufferBytes)
        {
            Array.Fill(offsets, -1);
            arena = 0;
        }
        return new Plan(events, offsets, arena);
    }
}
