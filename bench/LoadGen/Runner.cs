using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Neutrinet.Bench.LoadGen;

internal enum LoadMode { Auth, Acct }

internal sealed class LoadOptions
{
    public required IPEndPoint Server { get; init; }
    public required byte[] Secret { get; init; }
    public required Member[] Members { get; init; }
    public LoadMode Mode { get; init; } = LoadMode.Auth;
    public int Concurrency { get; init; } = 64;
    /// <summary>&gt; 0: send exactly Passes x members requests (a pass over every member), measured as a whole.</summary>
    public int Passes { get; init; }
    /// <summary>&gt; 0: send exactly this many requests (accounting: sessions, each a Start and a Stop), measured as a whole.</summary>
    public int Sessions { get; init; }
    /// <summary>Duration mode: unmeasured load first, then the measured window.</summary>
    public double WarmSeconds { get; init; } = 1;
    public double DurationSeconds { get; init; } = 8;
    public double TimeoutSeconds { get; init; } = 3;
    public int Sockets { get; init; }
    public IReadOnlyList<Watched> Watch { get; init; } = [];
}

/// <summary>What one run measured. Error counters cover the whole run (warm part included), the rest the window.</summary>
internal sealed class LoadResult
{
    public double WindowSeconds { get; set; }
    public long Completed { get; set; }
    public long Sent { get; set; }
    public long Accepts { get; set; }
    public long Rejects { get; set; }
    public long Timeouts { get; set; }
    public long Invalid { get; set; }
    public long Late { get; set; }
    public long SocketErrors { get; set; }
    public long Records { get; set; }
    public int[] LatenciesUs { get; set; } = [];
    public Dictionary<string, double> CpuUsPerCompleted { get; } = [];
    public Dictionary<string, double> CpuCores { get; } = [];
    public Dictionary<string, (long HwmKb, long RssKb)> Memory { get; } = [];
    public double Rate => WindowSeconds > 0 ? Completed / WindowSeconds : 0;
}

/// <summary>
/// Closed loop: keeps Concurrency requests outstanding. Each of a few UDP sockets is served by one thread doing
/// blocking receives; an answer is checked (Response Authenticator, code), timed, and immediately replaced by the next
/// request on the same slot. Identifiers are per socket; a request that timed out retires its identifier for the rest
/// of the run, so a late answer can never be taken for a newer request.
/// </summary>
internal sealed class Runner
{
    readonly LoadOptions _o;
    readonly long _timeoutTicks;
    readonly long _runNonce = Random.Shared.NextInt64(1, 1 << 20);
    readonly int _offset;
    readonly bool _counted;
    long _next;
    long _limit = long.MaxValue;
    volatile bool _measuring;
    volatile bool _stopping;

    public Runner(LoadOptions options)
    {
        _o = options;
        _timeoutTicks = (long)(options.TimeoutSeconds * Stopwatch.Frequency);
        _offset = options.Passes > 0 ? 0 : Random.Shared.Next(options.Members.Length);
        _counted = options.Passes > 0 || options.Sessions > 0;
    }

    public LoadResult Run()
    {
        var socketCount = _o.Sockets > 0 ? _o.Sockets : Math.Clamp((_o.Concurrency + 31) / 32, 1, 4);
        socketCount = Math.Min(socketCount, _o.Concurrency);
        var workers = new Worker[socketCount];
        for (var i = 0; i < socketCount; i++)
        {
            var slots = Enumerable.Range(0, _o.Concurrency).Where(s => s % socketCount == i).ToArray();
            if (slots.Length > 200) throw new ArgumentException("at most 200 outstanding requests per socket");
            workers[i] = new Worker(this, i, slots);
        }
        var self = new Watched("loadgen", [0]);
        var watched = _o.Watch.Append(self).ToArray();
        var result = new LoadResult();

        long t0, t1;
        long[] cpu0, cpu1;
        Snapshot s0, s1;
        if (_counted)
        {
            _limit = _o.Sessions > 0 ? _o.Sessions : (long)_o.Passes * _o.Members.Length;
            _measuring = true;
            cpu0 = [.. watched.Select(w => w.Ticks())];
            s0 = Snapshot.Of(workers);
            t0 = Stopwatch.GetTimestamp();
            foreach (var w in workers) w.Start();
            foreach (var w in workers) w.Join();
            t1 = workers.Max(w => w.LastCompletion);
            if (t1 < t0) t1 = Stopwatch.GetTimestamp();
            cpu1 = [.. watched.Select(w => w.Ticks())];
            s1 = Snapshot.Of(workers);
        }
        else
        {
            foreach (var w in workers) w.Start();
            Thread.Sleep(TimeSpan.FromSeconds(_o.WarmSeconds));
            cpu0 = [.. watched.Select(w => w.Ticks())];
            s0 = Snapshot.Of(workers);
            t0 = Stopwatch.GetTimestamp();
            _measuring = true;
            Thread.Sleep(TimeSpan.FromSeconds(_o.DurationSeconds));
            _measuring = false;
            t1 = Stopwatch.GetTimestamp();
            s1 = Snapshot.Of(workers);
            cpu1 = [.. watched.Select(w => w.Ticks())];
            _stopping = true;
            foreach (var w in workers) w.Join();
        }

        var end = Snapshot.Of(workers);
        result.WindowSeconds = (t1 - t0) / (double)Stopwatch.Frequency;
        result.Completed = _o.Mode == LoadMode.Auth ? s1.Accepts - s0.Accepts : s1.Records - s0.Records;
        result.Sent = end.Sent;
        result.Accepts = end.Accepts;
        result.Rejects = end.Rejects;
        result.Timeouts = end.Timeouts;
        result.Invalid = end.Invalid;
        result.Late = end.Late;
        result.SocketErrors = end.SocketErrors;
        result.Records = end.Records;
        var all = workers.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(all);
        result.LatenciesUs = all;
        for (var i = 0; i < watched.Length; i++)
        {
            var seconds = (cpu1[i] - cpu0[i]) / ProcStat.TicksPerSecond;
            result.CpuCores[watched[i].Name] = result.WindowSeconds > 0 ? seconds / result.WindowSeconds : 0;
            result.CpuUsPerCompleted[watched[i].Name] = result.Completed > 0 ? seconds * 1e6 / result.Completed : 0;
        }
        foreach (var w in _o.Watch)
        {
            long hwm = 0, rss = 0;
            foreach (var pid in w.Pids)
            {
                var (h, r) = ProcStat.Memory(pid);
                hwm += Math.Max(h, 0);
                rss += Math.Max(r, 0);
            }
            result.Memory[w.Name] = (hwm, rss);
        }
        return result;
    }

    /// <summary>The next member to send, or -1 when the run is over.</summary>
    int NextMember()
    {
        if (_stopping) return -1;
        var n = Interlocked.Increment(ref _next) - 1;
        if (n >= _limit) return -1;
        return (int)((n + _offset) % _o.Members.Length);
    }

    readonly record struct Snapshot(long Sent, long Accepts, long Rejects, long Timeouts, long Invalid, long Late, long SocketErrors, long Records)
    {
        public static Snapshot Of(Worker[] workers) => new(
            workers.Sum(w => Volatile.Read(ref w.Sent)), workers.Sum(w => Volatile.Read(ref w.Accepts)),
            workers.Sum(w => Volatile.Read(ref w.Rejects)), workers.Sum(w => Volatile.Read(ref w.Timeouts)),
            workers.Sum(w => Volatile.Read(ref w.Invalid)), workers.Sum(w => Volatile.Read(ref w.Late)),
            workers.Sum(w => Volatile.Read(ref w.SocketErrors)), workers.Sum(w => Volatile.Read(ref w.Records)));
    }

    sealed class Slot(int number)
    {
        public readonly int Number = number;
        public readonly byte[] Authenticator = new byte[16];
        public readonly byte[] Packet = new byte[Rad.MaxPacket];
        public byte Id;
        public bool Busy;
        public bool StopNext;
        public int Member;
        public long Session;
        public long SentAt;
    }

    sealed class Worker : IDisposable
    {
        readonly Runner _r;
        readonly Socket _socket;
        readonly Slot[] _slots;
        readonly Slot?[] _byId = new Slot?[256];
        readonly Queue<byte> _spareIds = new();
        readonly PacketCodec _codec;
        readonly Random _random;
        readonly Thread _thread;
        readonly byte[] _receive = new byte[Rad.MaxPacket];
        int _active;

        public long Sent, Accepts, Rejects, Timeouts, Invalid, Late, SocketErrors, Records;
        public long LastCompletion;
        public readonly List<int> Latencies = new(1 << 16);

        public Worker(Runner runner, int index, int[] slotNumbers)
        {
            _r = runner;
            _codec = new PacketCodec(runner._o.Secret);
            _random = new Random(unchecked((int)runner._runNonce * 31 + index));
            _slots = [.. slotNumbers.Select(n => new Slot(n))];
            for (var i = 0; i < _slots.Length; i++)
            {
                _slots[i].Id = (byte)i;
                _byId[i] = _slots[i];
            }
            for (var id = _slots.Length; id < 256; id++) _spareIds.Enqueue((byte)id);
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            {
                ReceiveTimeout = 20,
                ReceiveBufferSize = 1 << 20,
                SendBufferSize = 1 << 20,
            };
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.Connect(runner._o.Server);
            _thread = new Thread(Loop) { IsBackground = true, Name = $"radius-{index}" };
        }

        public void Start() => _thread.Start();

        public void Join()
        {
            _thread.Join();
            Dispose();
        }

        public void Dispose() => _socket.Dispose();

        void Loop()
        {
            foreach (var slot in _slots) SendNext(slot);
            var lastCheck = Stopwatch.GetTimestamp();
            var checkEvery = Stopwatch.Frequency / 20;
            while (_active > 0)
            {
                int n;
                try
                {
                    n = _socket.Receive(_receive);
                }
                catch (SocketException e)
                {
                    if (e.SocketErrorCode is not (SocketError.TimedOut or SocketError.WouldBlock)) SocketErrors++;
                    CheckTimeouts(Stopwatch.GetTimestamp());
                    lastCheck = Stopwatch.GetTimestamp();
                    continue;
                }
                var now = Stopwatch.GetTimestamp();
                Handle(_receive.AsSpan(0, n), now);
                if (now - lastCheck > checkEvery)
                {
                    CheckTimeouts(now);
                    lastCheck = now;
                }
            }
        }

        void Handle(ReadOnlySpan<byte> answer, long now)
        {
            if (answer.Length < Rad.HeaderLength)
            {
                Invalid++;
                return;
            }
            var slot = _byId[answer[1]];
            if (slot is null || !slot.Busy)
            {
                Late++;
                return;
            }
            if (!_codec.VerifyResponse(answer, slot.Authenticator))
            {
                Invalid++;
                return;
            }
            var code = answer[0];
            var mode = _r._o.Mode;
            if (mode == LoadMode.Auth)
            {
                if (code == Rad.AccessAccept) Accepts++;
                else if (code == Rad.AccessReject) Rejects++;
                else Invalid++;
            }
            else if (code == Rad.AccountingResponse) Records++;
            else Invalid++;

            if (_r._measuring) Latencies.Add((int)Math.Min(int.MaxValue, (now - slot.SentAt) * 1_000_000 / Stopwatch.Frequency));
            LastCompletion = now;
            slot.Busy = false;
            _active--;
            if (mode == LoadMode.Acct && slot.StopNext)
                Send(slot, slot.Member, stop: true);
            else
                SendNext(slot);
        }

        void CheckTimeouts(long now)
        {
            foreach (var slot in _slots)
            {
                if (!slot.Busy || now - slot.SentAt < _r._timeoutTicks) continue;
                Timeouts++;
                slot.Busy = false;
                _active--;
                // Retire the identifier: a late answer to it must never match a newer request.
                _byId[slot.Id] = null;
                if (!_spareIds.TryDequeue(out var id))
                {
                    Console.Error.WriteLine("loadgen: out of RADIUS identifiers after timeouts; slot stops");
                    continue;
                }
                slot.Id = id;
                _byId[id] = slot;
                SendNext(slot);
            }
        }

        void SendNext(Slot slot)
        {
            var member = _r.NextMember();
            if (member < 0) return;
            Send(slot, member, stop: false);
        }

        void Send(Slot slot, int memberIndex, bool stop)
        {
            var member = _r._o.Members[memberIndex];
            int length;
            if (_r._o.Mode == LoadMode.Auth)
            {
                _random.NextBytes(slot.Authenticator);
                var session = (_r._runNonce << 40) | (Sent & 0xFF_FFFF_FFFF) | ((long)slot.Number << 32);
                length = _codec.AccessRequest(slot.Packet, slot.Id, slot.Authenticator, member, slot.Number, session);
            }
            else
            {
                if (!stop) slot.Session = (_r._runNonce << 40) ^ ((long)slot.Number << 32) ^ Sent;
                length = _codec.AccountingRequest(slot.Packet, slot.Id, member, slot.Number, slot.Session,
                    stop ? Rad.AcctStop : Rad.AcctStart, stop ? 3600 : 0);
                slot.Packet.AsSpan(4, 16).CopyTo(slot.Authenticator);
                slot.StopNext = !stop;
            }
            slot.Member = memberIndex;
            slot.Busy = true;
            _active++;
            Sent++;
            slot.SentAt = Stopwatch.GetTimestamp();
            try { _socket.Send(slot.Packet.AsSpan(0, length)); }
            catch (SocketException) { SocketErrors++; }
        }
    }
}
