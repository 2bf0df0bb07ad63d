using System.Collections.Concurrent;
using System.Threading.Channels;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Observability;
using StackExchange.Redis;

namespace Neutrinet.RadiusBackend.Accounting;

public sealed record LoginOutcome(string MemberId, bool Accepted, string? Reason, string? TokenId, string? NasIdentifier, DateTimeOffset At)
{
    /// <summary>A generic failure that must not overwrite a more precise reason recorded moments before.</summary>
    public bool Weak { get; init; }
}

/// <summary>
/// Last login / last failure per member, and last use per token. Written off the request path by one background
/// writer; the caller coalesces successes to one per token per minute (<see cref="CachedMember.ShouldRecordUse"/>), so a
/// warm login costs no Redis work.
/// Losing one of these on a crash is acceptable: they are informational, unlike accounting.
/// </summary>
public sealed class LoginOutcomes(RedisConnection redis, ILogger<LoginOutcomes> logger) : BackgroundService
{
    readonly Channel<LoginOutcome> _queue = Channel.CreateBounded<LoginOutcome>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    readonly ConcurrentDictionary<string, long> _lastFailureMs = new(StringComparer.Ordinal);

    public void Record(LoginOutcome outcome)
    {
        if (!outcome.Accepted)
        {
            var now = outcome.At.ToUnixTimeMilliseconds();
            if (outcome.Weak && _lastFailureMs.TryGetValue(outcome.MemberId, out var previous) && now - previous < 10_000) return;
            _lastFailureMs[outcome.MemberId] = now;
        }
        if (!_queue.Writer.TryWrite(outcome)) BackendMetrics.LoginOutcomesDropped.Inc();
    }

    public async Task<IReadOnlyDictionary<string, string>> GetAsync(string memberId)
    {
        var entries = await redis.Database.HashGetAllAsync(redis.Prefix + "login:" + memberId);
        return entries.ToDictionary(e => (string)e.Name!, e => (string?)e.Value ?? "");
    }

    /// <summary>Last use of each of a member's tokens (unix ms), for the token list.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> GetTokenLastUsedAsync(string memberId)
    {
        var entries = await redis.Database.HashGetAllAsync(redis.Prefix + "login:" + memberId);
        return entries.Where(e => ((string?)e.Name)?.StartsWith(TokenField, StringComparison.Ordinal) == true && e.Value.TryParse(out long _))
            .ToDictionary(e => ((string)e.Name!)[TokenField.Length..], e => DateTimeOffset.FromUnixTimeMilliseconds((long)e.Value));
    }

    const string TokenField = "token:";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try { await WriteAllAsync(stoppingToken); }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { /* shutting down */ }
    }

    async Task WriteAllAsync(CancellationToken stoppingToken)
    {
        // Batches are pipelined: with appendfsync always, Redis then fsyncs once per batch instead of once per write.
        var batch = new List<Task>(256);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            var db = redis.Database;
            while (batch.Count < 256 && _queue.Reader.TryRead(out var o))
            {
                var at = o.At.ToUnixTimeMilliseconds();
                HashEntry[] fields = o.Accepted
                    ? o.TokenId is null
                        ? [new("lastLoginAt", at), new("lastLoginNas", o.NasIdentifier ?? "")]
                        : [new("lastLoginAt", at), new("lastLoginNas", o.NasIdentifier ?? ""), new(TokenField + o.TokenId, at)]
                    : [new("lastFailureAt", at), new("lastFailureReason", o.Reason ?? "")];
                batch.Add(db.HashSetAsync(redis.Prefix + "login:" + o.MemberId, fields));
            }
            try { await Task.WhenAll(batch); }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                BackendMetrics.LoginOutcomesDropped.Inc(batch.Count(t => t.IsFaulted));
                logger.LogDebug("Login outcomes not recorded: {Error}", ex.Message);
            }
            batch.Clear();
        }
    }
}

/// <summary>Closes ghost sessions and keeps the active-sessions gauge current.</summary>
public sealed class AccountingMaintenance(SessionStore sessions, ILogger<AccountingMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscribed = false;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        do
        {
            try
            {
                if (!subscribed) { await sessions.SubscribeAsync(); subscribed = true; }
                var closed = await sessions.CloseStaleSessionsAsync();
                if (closed > 0) logger.LogInformation("Closed {Count} stale sessions", closed);
                BackendMetrics.ActiveSessions.Set(await sessions.CountOpenAsync());
            }
            catch (Exception ex) when (ex is AccountingUnavailableException or RedisException or TimeoutException)
            {
                logger.LogDebug("Accounting maintenance skipped: {Error}", ex.Message);
            }
        } while (await WaitAsync(timer, stoppingToken));
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
