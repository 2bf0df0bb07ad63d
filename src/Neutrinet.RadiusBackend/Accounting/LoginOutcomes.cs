using System.Collections.Concurrent;
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
/// Last login / last failure per member, and last use per token, written off the request path in batches
/// (<see cref="RedisWriteBehind"/>). The caller coalesces successes to one per token per minute
/// (<see cref="CachedMember.ShouldRecordUse"/>), so a warm login costs no Redis work.
/// Losing one of these on a crash is acceptable: they are informational, unlike accounting.
/// </summary>
public sealed class LoginOutcomes(RedisConnection redis, RedisWriteBehind writeBehind)
{
    const string TokenField = "token:";
    readonly ConcurrentDictionary<string, long> _lastFailureMs = new(StringComparer.Ordinal);

    public void Record(LoginOutcome outcome)
    {
        var at = outcome.At.ToUnixTimeMilliseconds();
        if (!outcome.Accepted)
        {
            if (outcome.Weak && _lastFailureMs.TryGetValue(outcome.MemberId, out var previous) && at - previous < 10_000) return;
            _lastFailureMs[outcome.MemberId] = at;
        }
        HashEntry[] fields = outcome.Accepted
            ? outcome.TokenId is null
                ? [new("lastLoginAt", at), new("lastLoginNas", outcome.NasIdentifier ?? "")]
                : [new("lastLoginAt", at), new("lastLoginNas", outcome.NasIdentifier ?? ""), new(TokenField + outcome.TokenId, at)]
            : [new("lastFailureAt", at), new("lastFailureReason", outcome.Reason ?? "")];
        RedisKey key = redis.Prefix + "login:" + outcome.MemberId;
        if (!writeBehind.TryEnqueue(BackendMetrics.LoginOutcomesDropped, batch => batch.HashSetAsync(key, fields)))
            BackendMetrics.LoginOutcomesDropped.Inc();
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
                if (!sessions.OwnersLoaded) await sessions.LoadOwnersWithOpenSessionsAsync();
                sessions.ForgetOldChanges();
                await sessions.ForgetOwnersWithoutSessionsAsync();
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
