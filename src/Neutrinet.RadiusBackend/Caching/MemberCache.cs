using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Concurrency;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Observability;
using StackExchange.Redis;

namespace Neutrinet.RadiusBackend.Caching;

public enum LookupStatus { Found, NotFound, Unavailable }

/// <summary>The outcome of a member lookup; <see cref="Stale"/> marks a grace answer given while LDAP is down.</summary>
public readonly record struct MemberLookup(LookupStatus Status, CachedMember? Member, bool Stale = false)
{
    public static readonly MemberLookup NotFound = new(LookupStatus.NotFound, null);
    public static readonly MemberLookup Unavailable = new(LookupStatus.Unavailable, null);
}

/// <summary>
/// Cache-aside in front of LDAP: process memory first (the warm login path touches no network), then Redis (shared by
/// every instance), then LDAP. Invalidation removes both layers and is broadcast on a Redis channel so every instance
/// drops its memory copy. An unreadable Redis entry is a miss; Redis failures never fail a lookup.
/// </summary>
public sealed class MemberCache : IHostedService, IDisposable
{
    readonly MemberDirectory _directory;
    readonly RedisConnection _redis;
    readonly RedisWriteBehind _writeBehind;
    readonly CacheOptions _options;
    readonly long _freshForMs;
    readonly long _negativeForMs;
    readonly ILogger<MemberCache> _logger;
    readonly TimeProvider _time;
    readonly ConcurrentDictionary<string, MemoryEntry> _memory = new(StringComparer.Ordinal);
    // ConcurrentDictionary.Count takes every lock of the table: measured at ~6 us per cold login. The cap only needs
    // an approximate count; the sweeper sets it right once a minute.
    int _memoryCount;
    readonly ConcurrentDictionary<string, Task<MemberLookup>> _inflight = new(StringComparer.Ordinal);
    // When each member was last invalidated (and everything, for "*"): a read that started before must not fill a
    // cache layer afterwards, or a suspension could be undone by a login that raced with it.
    readonly ConcurrentDictionary<string, long> _invalidatedAtMs = new(StringComparer.Ordinal);
    long _allInvalidatedAtMs;
    readonly RedisChannel _channel;
    // Misses of a reconnect storm ask Redis with one MGET per batch instead of one GET each.
    readonly BatchedReads<RedisKey, RedisValue> _redisReads;
    readonly CancellationTokenSource _stopping = new();
    Timer? _sweeper;

    public MemberCache(MemberDirectory directory, RedisConnection redis, RedisWriteBehind writeBehind, IOptions<CacheOptions> options,
        ILogger<MemberCache> logger, TimeProvider time)
    {
        _directory = directory;
        _redis = redis;
        _writeBehind = writeBehind;
        _options = options.Value;
        _freshForMs = (long)_options.FreshFor.TotalMilliseconds;
        _negativeForMs = (long)_options.NegativeFor.TotalMilliseconds;
        _logger = logger;
        _time = time;
        _channel = RedisChannel.Literal(redis.Prefix + "invalidate");
        _redisReads = new(keys => redis.Database.StringGetAsync(keys), maxBatch: 32, maxConcurrent: 1,
            size => RedisBatchSizes.Observe(size));
    }

    /// <summary>Finds a member by normalised email. Never throws for infrastructure failures.</summary>
    public ValueTask<MemberLookup> FindByEmailAsync(string email, CancellationToken ct = default)
    {
        var now = NowMs();
        if (_memory.TryGetValue(email, out var cached))
        {
            var age = now - cached.FetchedAtMs;
            if (cached is CachedMember ? age < _freshForMs : age < _negativeForMs)
            {
                MemoryHits.Inc();
                return ValueTask.FromResult(cached is CachedMember found ? new MemberLookup(LookupStatus.Found, found) : MemberLookup.NotFound);
            }
        }
        MemoryMisses.Inc();
        return new ValueTask<MemberLookup>(SingleFlight(email, cached));
    }

    /// <summary>Drops a member everywhere: this process, Redis, and (by broadcast) every other instance.</summary>
    public async Task InvalidateAsync(IEnumerable<string> emails)
    {
        foreach (var email in emails.Distinct(StringComparer.Ordinal))
        {
            MarkInvalidated(email);
            try
            {
                await _redis.Database.KeyDeleteAsync(Key(email));
                await _redis.Subscriber.PublishAsync(_channel, email);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Other instances then see the change when their memory copy ages out (FreshFor).
                BackendMetrics.RedisErrors.WithLabels("invalidate").Inc();
                _logger.LogWarning("Could not broadcast a member invalidation: {Error}", ex.Message);
            }
        }
    }

    /// <summary>Empties both layers (operators and the cold-start benchmark use this).</summary>
    public async Task ClearAsync()
    {
        MarkInvalidated("*");
        try
        {
            await _redis.Subscriber.PublishAsync(_channel, "*");
            var db = _redis.Database;
            await foreach (var key in _redis.ScanPrimariesAsync(_redis.Prefix + "member:*"))
                await db.KeyDeleteAsync(key, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            BackendMetrics.RedisErrors.WithLabels("clear").Inc();
        }
    }

    Task<MemberLookup> SingleFlight(string email, MemoryEntry? stale)
    {
        // Concurrent misses for one member (a reconnect storm) share one LDAP round trip.
        if (_inflight.TryGetValue(email, out var running)) return running;
        // Waiters resume inline when the load finishes: it already runs on a pool thread, and a request resumes with
        // short, non-blocking work (an answer written to Kestrel's pipe).
        var tcs = new TaskCompletionSource<MemberLookup>();
        if (!_inflight.TryAdd(email, tcs.Task)) return _inflight.TryGetValue(email, out running) ? running : LoadAsync(email, stale);
        _ = RunLoad(email, stale, tcs);
        return tcs.Task;
    }

    async Task RunLoad(string email, MemoryEntry? stale, TaskCompletionSource<MemberLookup> tcs)
    {
        try { tcs.TrySetResult(await LoadAsync(email, stale)); }
        catch (Exception ex) { tcs.TrySetException(ex); }
        finally { _inflight.TryRemove(email, out _); }
    }

    async Task<MemberLookup> LoadAsync(string email, MemoryEntry? stale)
    {
        var startedAtMs = NowMs();
        var shared = await ReadRedisAsync(email);
        var now = NowMs();
        if (shared is not null && now - shared.FetchedAtMs < _freshForMs)
        {
            Remember(email, shared, startedAtMs);
            return new MemberLookup(LookupStatus.Found, shared);
        }

        // LDAP is down or slow: a member seen recently keeps working for the configured grace; nobody else gets in.
        var grace = stale as CachedMember;
        if (shared is not null && (grace is null || shared.FetchedAtMs > grace.FetchedAtMs)) grace = shared;
        if (grace is not null && NowMs() - grace.FetchedAtMs >= _options.LdapOutageGrace.TotalMilliseconds) grace = null;

        var refresh = RefreshFromDirectoryAsync(email);
        if (grace is not null && await Task.WhenAny(refresh, Task.Delay(_options.StaleAnswerAfter)) != refresh)
        {
            // The refresh goes on in the background and updates the cache when LDAP answers.
            BackendMetrics.StaleServed.Inc();
            return new MemberLookup(LookupStatus.Found, grace, Stale: true);
        }
        var fresh = await refresh;
        if (fresh is not null) return fresh.Value;
        if (grace is not null)
        {
            BackendMetrics.StaleServed.Inc();
            return new MemberLookup(LookupStatus.Found, grace, Stale: true);
        }
        return MemberLookup.Unavailable;
    }

    /// <summary>Reads LDAP and fills both cache layers; null when LDAP is unavailable (never throws).</summary>
    async Task<MemberLookup?> RefreshFromDirectoryAsync(string email)
    {
        try
        {
            var startedAtMs = NowMs();
            var member = await _directory.FindLoginByEmailAsync(email);
            var fetchedAtMs = NowMs();
            if (member is null)
            {
                Remember(email, new AbsentMember(fetchedAtMs), startedAtMs);
                return MemberLookup.NotFound;
            }
            var cached = CachedMember.From(member, fetchedAtMs);
            Remember(email, cached, startedAtMs);
            WriteRedis(email, member, startedAtMs, fetchedAtMs);
            return new MemberLookup(LookupStatus.Found, cached);
        }
        catch (DirectoryUnavailableException)
        {
            return null;
        }
    }

    void Remember(string email, MemoryEntry entry, long readStartedAtMs)
    {
        if (InvalidatedSince(email, readStartedAtMs)) return;
        if (Volatile.Read(ref _memoryCount) < _options.MaxMemoryEntries && _memory.TryAdd(email, entry))
            Interlocked.Increment(ref _memoryCount);
        else if (_memory.ContainsKey(email))
            _memory[email] = entry;
    }

    void MarkInvalidated(string email)
    {
        var now = NowMs();
        if (email == "*")
        {
            Volatile.Write(ref _allInvalidatedAtMs, now);
            _memory.Clear();
            Volatile.Write(ref _memoryCount, 0);
        }
        else
        {
            _invalidatedAtMs[email] = now;
            Forget(email);
        }
    }

    void Forget(string email)
    {
        if (_memory.TryRemove(email, out _)) Interlocked.Decrement(ref _memoryCount);
    }

    bool InvalidatedSince(string email, long sinceMs) =>
        Volatile.Read(ref _allInvalidatedAtMs) >= sinceMs
        || (!_invalidatedAtMs.IsEmpty && _invalidatedAtMs.TryGetValue(email, out var at) && at >= sinceMs);

    async Task<CachedMember?> ReadRedisAsync(string email)
    {
        if (!_redis.IsConnected) return null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var value = await _redisReads.ReadAsync(Key(email));
            RedisGetDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (value.IsNullOrEmpty)
            {
                RedisMisses.Inc();
                return null;
            }
            var document = JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)value).Span, CacheJsonContext.Default.CachedMemberDocument);
            if (document is null || document.Version != CachedMemberDocument.CurrentVersion || document.Member is null
                || !string.Equals(document.Email, email, StringComparison.Ordinal))
            {
                RedisUnreadable.Inc();
                return null;
            }
            RedisHits.Inc();
            return CachedMember.From(document.Member, document.FetchedAtMs);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException or NotSupportedException)
        {
            // Unreadable or unreachable: a miss, never a decision.
            RedisUnreadable.Inc();
            return null;
        }
    }

    void WriteRedis(string email, LoginEntry member, long readStartedAtMs, long fetchedAtMs)
    {
        if (!_redis.IsConnected || InvalidatedSince(email, readStartedAtMs)) return;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(
            new CachedMemberDocument(CachedMemberDocument.CurrentVersion, fetchedAtMs, email, member),
            CacheJsonContext.Default.CachedMemberDocument);
        // Kept as long as the outage grace, so a restarted backend still has its grace data.
        var key = Key(email);
        if (!_writeBehind.TryEnqueue(MemberSetFailures, batch =>
                // Checked again when sent: an invalidation while queued wins.
                InvalidatedSince(email, readStartedAtMs) ? Task.CompletedTask : batch.StringSetAsync(key, bytes, _options.LdapOutageGrace)))
            MemberSetFailures.Inc();
    }

    static readonly Prometheus.Histogram.Child RedisBatchSizes = BackendMetrics.LoginReadBatchSize.WithLabels("redis");
    static readonly Prometheus.Counter.Child MemberSetFailures = BackendMetrics.RedisErrors.WithLabels("member_set");
    static readonly Prometheus.Counter.Child MemoryHits = BackendMetrics.CacheLookups.WithLabels("memory", "hit");
    static readonly Prometheus.Counter.Child MemoryMisses = BackendMetrics.CacheLookups.WithLabels("memory", "miss");
    static readonly Prometheus.Counter.Child RedisHits = BackendMetrics.CacheLookups.WithLabels("redis", "hit");
    static readonly Prometheus.Counter.Child RedisMisses = BackendMetrics.CacheLookups.WithLabels("redis", "miss");
    static readonly Prometheus.Counter.Child RedisUnreadable = BackendMetrics.CacheLookups.WithLabels("redis", "error");
    static readonly Prometheus.Histogram.Child RedisGetDuration = BackendMetrics.RedisDuration.WithLabels("member_get");

    RedisKey Key(string email) => _redis.Prefix + "member:" + email;
    long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = SubscribeUntilDoneAsync(_stopping.Token);
        _sweeper = new Timer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        return Task.CompletedTask;
    }

    async Task SubscribeUntilDoneAsync(CancellationToken ct)
    {
        // Once subscribed, StackExchange.Redis restores the subscription after reconnects by itself.
        for (var attempt = 0; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await _redis.Subscriber.SubscribeAsync(_channel, (channel, message) =>
                {
                    var email = (string?)message;
                    if (email is not null) MarkInvalidated(email);
                    BackendMetrics.CacheInvalidationsReceived.Inc();
                });
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                if (attempt == 0) _logger.LogWarning("Invalidation channel not subscribed yet: {Error}", ex.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    void Sweep()
    {
        var horizon = NowMs() - (long)Math.Max(_options.LdapOutageGrace.TotalMilliseconds, _options.FreshFor.TotalMilliseconds);
        foreach (var (email, entry) in _memory)
            if (entry.FetchedAtMs < horizon) Forget(email);
        Volatile.Write(ref _memoryCount, _memory.Count);
        // A read older than a minute has long finished or failed (LDAP and Redis time out in seconds).
        var readHorizon = NowMs() - 60_000;
        foreach (var (email, at) in _invalidatedAtMs)
            if (at < readHorizon) _invalidatedAtMs.TryRemove(email, out _);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _sweeper?.Dispose();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _sweeper?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>A member's login view as kept in Redis; another version is read as a miss.</summary>
public sealed record CachedMemberDocument(int Version, long FetchedAtMs, string Email, LoginEntry Member)
{
    public const int CurrentVersion = 2;
}

[JsonSerializable(typeof(CachedMemberDocument))]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
