using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Observability;
using StackExchange.Redis;

namespace Neutrinet.RadiusBackend.Accounting;

/// <summary>Redis could not store or read accounting data; the caller answers 5xx so the record is retried.</summary>
public sealed class AccountingUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Sessions and accounting records in Redis. Each record is applied by one Lua script, atomically and idempotently
/// (keyed on Acct-Unique-Session-Id): a replayed Start or Interim never reopens a stopped session, an older Interim
/// never overwrites a newer one, and Interim/Stop without a Start create the session. Redis runs with AOF
/// <c>appendfsync always</c>, so a reply means the record is on disk.
/// </summary>
public sealed class SessionStore
{
    // KEYS: 1 session hash, 2 owner's open set, 3 owner's recent set, 4 NAS open set, 5 global open set
    // ARGV: 1 status, 2 now ms, 3 unique id, 4 owner, 5 user, 6 Acct-Session-Id, 7 NAS key, 8 NAS IP, 9 NAS id,
    //       10 Calling-Station-Id, 11 Framed-IP, 12 session time s, 13 in octets, 14 out octets, 15 terminate cause,
    //       16 retention s, 17 event ms, 18 member id, 19 recent kept per owner
    const string UpsertScript = """
        local state = redis.call('HGET', KEYS[1], 'state')
        if state == 'closed' then return 'duplicate' end
        local status = ARGV[1]
        local now = tonumber(ARGV[2])
        local event = tonumber(ARGV[17])
        local t = tonumber(ARGV[12])
        if status == 'Start' and state == 'open' then return 'duplicate' end
        if not state then
          local start = event
          if status ~= 'Start' then start = event - t * 1000 end
          redis.call('HSET', KEYS[1], 'uid', ARGV[3], 'owner', ARGV[4], 'user', ARGV[5], 'acctSessionId', ARGV[6],
            'nasKey', ARGV[7], 'nasIp', ARGV[8], 'nasId', ARGV[9], 'callingStation', ARGV[10], 'framedIp', ARGV[11],
            'memberId', ARGV[18], 'startMs', start, 'sessionTime', -1, 'in', '0', 'out', '0')
          redis.call('ZADD', KEYS[3], start, ARGV[3])
          local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[19])
          if excess > 0 then redis.call('ZPOPMIN', KEYS[3], excess) end
          redis.call('EXPIRE', KEYS[3], ARGV[16])
        else
          local previous = tonumber(redis.call('HGET', KEYS[1], 'sessionTime'))
          if status == 'Interim-Update' and t < previous then return 'duplicate' end
        end
        if status == 'Stop' then
          redis.call('HSET', KEYS[1], 'state', 'closed', 'updateMs', now, 'stopMs', event, 'sessionTime', t,
            'in', ARGV[13], 'out', ARGV[14], 'terminateCause', ARGV[15])
          if ARGV[11] ~= '' then redis.call('HSET', KEYS[1], 'framedIp', ARGV[11]) end
          redis.call('ZREM', KEYS[2], ARGV[3])
          redis.call('SREM', KEYS[4], ARGV[3])
          redis.call('ZREM', KEYS[5], ARGV[3])
          redis.call('EXPIRE', KEYS[1], ARGV[16])
          return 'stored'
        end
        redis.call('HSET', KEYS[1], 'state', 'open', 'updateMs', now)
        if status ~= 'Start' then
          redis.call('HSET', KEYS[1], 'sessionTime', t, 'in', ARGV[13], 'out', ARGV[14])
        end
        if ARGV[11] ~= '' then redis.call('HSET', KEYS[1], 'framedIp', ARGV[11]) end
        redis.call('ZADD', KEYS[2], now, ARGV[3])
        redis.call('SADD', KEYS[4], ARGV[3])
        redis.call('ZADD', KEYS[5], now, ARGV[3])
        redis.call('PERSIST', KEYS[1])
        return 'stored'
        """;

    // Closes the listed open sessions (Accounting-On/Off of a NAS, stale sweeps, member deletion).
    // KEYS: 1 global open set. ARGV: 1 prefix, 2 now ms, 3 cause, 4 retention s, 5.. unique ids
    const string CloseScript = """
        local closed = {}
        for i = 5, #ARGV do
          local key = ARGV[1] .. 'acct:s:' .. ARGV[i]
          local fields = redis.call('HMGET', key, 'state', 'owner', 'nasKey')
          if fields[1] == 'open' then
            redis.call('HSET', key, 'state', 'closed', 'stopMs', ARGV[2], 'updateMs', ARGV[2], 'terminateCause', ARGV[3])
            redis.call('EXPIRE', key, ARGV[4])
            redis.call('ZREM', ARGV[1] .. 'acct:owner:' .. fields[2], ARGV[i])
            redis.call('SREM', ARGV[1] .. 'acct:nas:' .. fields[3], ARGV[i])
            table.insert(closed, fields[2])
          end
          redis.call('ZREM', KEYS[1], ARGV[i])
        end
        return closed
        """;

    static readonly string[] SessionFields =
    [
        "uid", "memberId", "user", "acctSessionId", "nasId", "nasIp", "callingStation", "framedIp", "startMs", "updateMs",
        "stopMs", "sessionTime", "in", "out", "terminateCause", "state", "nasKey",
    ];
    static readonly RedisValue[] SessionFieldValues = [.. SessionFields.Select(f => (RedisValue)f)];

    readonly RedisConnection _redis;
    readonly AccountingOptions _options;
    readonly TimeProvider _time;
    // When each owner's sessions last changed (here or, by broadcast, on another instance), and everyone's (a Redis
    // reconnect may have lost broadcasts): a snapshot read before that is out of date. Only owners with accounting
    // in the last OpenSessionsFreshFor are listed; the snapshots themselves live on the cached members.
    readonly ConcurrentDictionary<string, long> _changedAtMs = new(StringComparer.Ordinal);
    long _allChangedAtMs;
    // Owners whose open sessions must be read from Redis (value: when marked): every owner with an open session when
    // the list was loaded, and every owner whose sessions changed since; a read that finds none removes the owner.
    // Once loaded, any other owner has no open session, so most logins of a reconnect storm read no sessions at all.
    readonly ConcurrentDictionary<string, long> _ownersToRead = new(StringComparer.Ordinal);
    volatile bool _ownersLoaded;
    readonly long _freshForMs;
    readonly RedisChannel _changes;

    public SessionStore(RedisConnection redis, IOptions<AccountingOptions> options, TimeProvider time)
    {
        _redis = redis;
        _options = options.Value;
        _time = time;
        _freshForMs = (long)_options.OpenSessionsFreshFor.TotalMilliseconds;
        _changes = RedisChannel.Literal(redis.Prefix + "sessions-changed");
        redis.ConnectionRestored += (_, _) =>
        {
            // Broadcasts may have been lost meanwhile: read every owner until the list is loaded again.
            _ownersLoaded = false;
            Volatile.Write(ref _allChangedAtMs, NowMs());
        };
    }

    string P => _redis.Prefix;

    public async Task<AccountingOutcome> RecordAsync(AccountingRecord record)
    {
        var status = record.Status switch
        {
            AccountingStatus.Start => "Start",
            AccountingStatus.InterimUpdate => "Interim-Update",
            AccountingStatus.Stop => "Stop",
            _ => throw new ArgumentException("Only Start, Interim-Update and Stop are session records", nameof(record)),
        };
        var owner = record.OwnerKey;
        RedisKey[] keys =
        [
            $"{P}acct:s:{record.UniqueSessionId}", $"{P}acct:owner:{owner}", $"{P}acct:recent:{owner}",
            $"{P}acct:nas:{record.NasKey}", $"{P}acct:open",
        ];
        RedisValue[] args =
        [
            status, NowMs(), record.UniqueSessionId, owner, record.UserName, record.AcctSessionId ?? "", record.NasKey,
            record.NasIpAddress ?? "", record.NasIdentifier ?? "", record.CallingStationId ?? "", record.FramedIpAddress ?? "",
            record.SessionTimeSeconds, record.InputOctets.ToString(CultureInfo.InvariantCulture),
            record.OutputOctets.ToString(CultureInfo.InvariantCulture), record.TerminateCause ?? "",
            (long)_options.Retention.TotalSeconds, record.EventTime.ToUnixTimeMilliseconds(), record.MemberId ?? "",
            _options.RecentSessionsPerMember,
        ];
        var result = await RunAsync("accounting_upsert", db => db.ScriptEvaluateAsync(UpsertScript, keys, args));
        var stored = (string?)result == "stored";
        if (stored) await SessionsChangedAsync([owner]);
        return stored ? AccountingOutcome.Stored : AccountingOutcome.Duplicate;
    }

    /// <summary>Accounting-On/Off: the NAS restarted, so none of its sessions survive.</summary>
    public async Task<int> CloseNasSessionsAsync(string nasKey, string cause)
    {
        var ids = await RunAsync("nas_sessions", db => db.SetMembersAsync($"{P}acct:nas:{nasKey}"));
        return await CloseAsync(ids, cause);
    }

    public async Task<int> CloseOwnerSessionsAsync(string owner, string cause)
    {
        var ids = await RunAsync("owner_sessions", db => db.SortedSetRangeByRankAsync($"{P}acct:owner:{owner}"));
        return await CloseAsync(ids, cause);
    }

    /// <summary>Closes ghosts: open sessions with no update within <see cref="AccountingOptions.StaleAfter"/>.</summary>
    public async Task<int> CloseStaleSessionsAsync()
    {
        var horizon = NowMs() - (long)_options.StaleAfter.TotalMilliseconds;
        var ids = await RunAsync("stale_sessions", db => db.SortedSetRangeByScoreAsync($"{P}acct:open", double.NegativeInfinity, horizon, take: 1000));
        return await CloseAsync(ids, "Stale-Session");
    }

    public async Task<long> CountOpenAsync() => await RunAsync("open_count", db => db.SortedSetLengthAsync($"{P}acct:open"));

    async Task<int> CloseAsync(RedisValue[] ids, string cause)
    {
        if (ids.Length == 0) return 0;
        RedisValue[] args = [P, NowMs(), cause, (long)_options.Retention.TotalSeconds, .. ids];
        var result = await RunAsync("accounting_close", db => db.ScriptEvaluateAsync(CloseScript, [$"{P}acct:open"], args));
        var closedOwners = ((RedisResult[]?)result ?? []).Select(r => (string?)r).OfType<string>().ToArray();
        await SessionsChangedAsync([.. closedOwners.Distinct(StringComparer.Ordinal)]);
        return closedOwners.Length;
    }

    /// <summary>
    /// Whether a snapshot of an owner's open sessions still holds: younger than OpenSessionsFreshFor and no change of
    /// that owner since, recorded here or on any other instance. Callers keep their snapshots (the simultaneous-use
    /// check, on the cached member), so a warm login needs no Redis round trip and no per-owner entry here. The owner
    /// is only asked for when some owner changed recently (the warm login path then builds no id string).
    /// </summary>
    public bool IsCurrent<TState>(OpenSessionsSnapshot snapshot, TState state, Func<TState, string> ownerOf) =>
        NowMs() - snapshot.ReadStartedAtMs < _freshForMs
        && snapshot.ReadStartedAtMs > Volatile.Read(ref _allChangedAtMs)
        && (_changedAtMs.IsEmpty || !_changedAtMs.TryGetValue(ownerOf(state), out var changedAt) || changedAt < snapshot.ReadStartedAtMs);

    /// <summary>Reads the owner's open sessions, unless the list of owners with open sessions says there are none.</summary>
    public async ValueTask<OpenSessionsSnapshot> ReadOpenSessionsAsync(string owner)
    {
        // Taken before the list is consulted: a change the list does not show yet is marked later than this.
        var startedAtMs = NowMs();
        if (_ownersLoaded && !_ownersToRead.ContainsKey(owner)) return new OpenSessionsSnapshot([], startedAtMs);
        var ids = await RunAsync("owner_sessions", db => db.SortedSetRangeByRankAsync($"{P}acct:owner:{owner}"));
        SessionView[] open = ids.Length == 0 ? [] : [.. (await ReadSessionsAsync(ids)).Where(s => s.Open)];
        if (open.Length == 0 && _ownersToRead.TryGetValue(owner, out var markedAtMs) && markedAtMs < startedAtMs)
            _ownersToRead.TryRemove(new KeyValuePair<string, long>(owner, markedAtMs));
        return new OpenSessionsSnapshot(open, startedAtMs);
    }

    public bool OwnersLoaded => _ownersLoaded;

    /// <summary>
    /// Lists the owners with open sessions (their index keys exist only while not empty). Call once subscribed to
    /// changes, so a change made during the scan is marked by its broadcast.
    /// </summary>
    public async Task LoadOwnersWithOpenSessionsAsync()
    {
        var prefix = $"{P}acct:owner:";
        try
        {
            await foreach (var key in _redis.ScanPrimariesAsync(prefix + "*"))
                _ownersToRead.TryAdd(((string)key!)[prefix.Length..], 0);
            _ownersLoaded = true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            BackendMetrics.RedisErrors.WithLabels("owner_scan").Inc();
            throw new AccountingUnavailableException("Accounting storage is unavailable", ex);
        }
    }

    void MarkChanged(string owner)
    {
        // Listed first, then timed: a snapshot taken before the list showed the owner is then older than the change.
        _ownersToRead[owner] = NowMs();
        _changedAtMs[owner] = NowMs();
    }

    /// <summary>
    /// Unlists owners marked a while ago whose session index no longer exists (their sessions closed and they have not
    /// logged in since), so the list stays the size of the owners with sessions. Called periodically.
    /// </summary>
    public async Task ForgetOwnersWithoutSessionsAsync()
    {
        var horizon = NowMs() - _freshForMs;
        var candidates = _ownersToRead.Where(owner => owner.Value < horizon).Take(10_000).ToArray();
        if (candidates.Length == 0) return;
        var batch = _redis.Database.CreateBatch();
        var checks = Array.ConvertAll(candidates, owner => batch.KeyExistsAsync($"{P}acct:owner:{owner.Key}"));
        batch.Execute();
        var exists = await RunAsync("owner_prune", _ => Task.WhenAll(checks));
        // A change after the check is marked anew, with a later time: removing only the entry as read keeps it.
        for (var i = 0; i < candidates.Length; i++)
            if (!exists[i]) _ownersToRead.TryRemove(candidates[i]);
    }

    internal int OwnersListed => _ownersToRead.Count;

    /// <summary>Forgets changes older than any snapshot still in use (called periodically).</summary>
    public void ForgetOldChanges()
    {
        var horizon = NowMs() - _freshForMs;
        foreach (var (owner, at) in _changedAtMs)
            if (at < horizon) _changedAtMs.TryRemove(new KeyValuePair<string, long>(owner, at));
    }

    /// <summary>The owner's sessions, newest first: open ones and those closed within the retention.</summary>
    public async Task<IReadOnlyList<SessionView>> GetRecentSessionsAsync(string owner, int max)
    {
        var ids = await RunAsync("recent_sessions", db => db.SortedSetRangeByRankAsync($"{P}acct:recent:{owner}", 0, max - 1, Order.Descending));
        return await ReadSessionsAsync(ids);
    }

    public async Task<IReadOnlyList<SessionView>> ListOpenSessionsAsync(int offset, int count)
    {
        var ids = await RunAsync("open_sessions", db => db.SortedSetRangeByRankAsync($"{P}acct:open", offset, offset + count - 1, Order.Descending));
        return await ReadSessionsAsync(ids);
    }

    public async Task<SessionView?> GetAsync(string uniqueSessionId) =>
        (await ReadSessionsAsync([uniqueSessionId])).FirstOrDefault();

    async Task<SessionView[]> ReadSessionsAsync(RedisValue[] ids)
    {
        if (ids.Length == 0) return [];
        var db = _redis.Database;
        var batch = db.CreateBatch();
        var reads = ids.Select(id => batch.HashGetAsync($"{P}acct:s:{id}", SessionFieldValues)).ToArray();
        batch.Execute();
        var rows = await RunAsync("session_read", _ => Task.WhenAll(reads));
        return [.. rows.Where(r => !r[0].IsNull).Select(ToView)];
    }

    static SessionView ToView(RedisValue[] f)
    {
        static string? S(RedisValue v) => v.IsNullOrEmpty ? null : (string?)v;
        static long L(RedisValue v) => long.TryParse((string?)v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x : 0;
        static ulong U(RedisValue v) => ulong.TryParse((string?)v, NumberStyles.None, CultureInfo.InvariantCulture, out var x) ? x : 0;
        var stopMs = S(f[10]) is null ? (long?)null : L(f[10]);
        return new SessionView(
            (string)f[0]!, S(f[1]), (string?)f[2] ?? "", S(f[3]), S(f[4]), S(f[5]), S(f[6]), S(f[7]),
            DateTimeOffset.FromUnixTimeMilliseconds(L(f[8])), DateTimeOffset.FromUnixTimeMilliseconds(L(f[9])),
            stopMs is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(stopMs.Value),
            Math.Max(0, L(f[11])), U(f[12]), U(f[13]), S(f[14]), (string?)f[15] == "open");
    }

    async Task SessionsChangedAsync(IReadOnlyCollection<string> owners)
    {
        foreach (var owner in owners)
        {
            MarkChanged(owner);
            try { await _redis.Subscriber.PublishAsync(_changes, owner, CommandFlags.FireAndForget); }
            catch (Exception ex) when (ex is RedisException or TimeoutException) { BackendMetrics.RedisErrors.WithLabels("publish").Inc(); }
        }
    }

    /// <summary>Listens for other instances' session changes so this instance's memory copy never lags.</summary>
    public async Task SubscribeAsync()
    {
        await _redis.Subscriber.SubscribeAsync(_changes, (channel, owner) =>
        {
            if (!owner.IsNullOrEmpty) MarkChanged((string)owner!);
        });
    }

    async Task<T> RunAsync<T>(string operation, Func<IDatabase, Task<T>> command)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await command(_redis.Database);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            BackendMetrics.RedisErrors.WithLabels(operation).Inc();
            throw new AccountingUnavailableException("Accounting storage is unavailable", ex);
        }
        finally
        {
            BackendMetrics.RedisDuration.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>An owner's open sessions as read from Redis, and when that read started.</summary>
public readonly record struct OpenSessionsSnapshot(SessionView[] Sessions, long ReadStartedAtMs);
