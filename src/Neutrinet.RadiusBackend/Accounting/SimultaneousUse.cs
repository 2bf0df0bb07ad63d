using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Observability;

namespace Neutrinet.RadiusBackend.Accounting;

/// <summary>
/// Counts a member's open sessions against their limit. A re-authentication of a session that is already open
/// (same Acct-Session-Id, or same NAS and Calling-Station-Id) is not a second session, and ghosts (no update within
/// StaleAfter) do not count, or members would be locked out by lost Stops.
/// </summary>
public sealed class SimultaneousUse(SessionStore sessions, IOptions<AccountingOptions> options, TimeProvider time)
{
    readonly TimeSpan _staleAfter = options.Value.StaleAfter;

    /// <returns>true when one more session is allowed. Fails open when Redis is unavailable (counted).</returns>
    public async ValueTask<bool> AllowsAnotherAsync(CachedMember member, int limit, string? acctSessionId, string nasKey, string? callingStationId)
    {
        if (limit <= 0) return true;
        SessionView[] open;
        try
        {
            if (!member.TryGetOpenSessions(out var snapshot) || !sessions.IsCurrent(snapshot, member, static m => m.Id))
            {
                snapshot = await sessions.ReadOpenSessionsAsync(member.Id);
                member.SetOpenSessions(snapshot);
            }
            open = snapshot.Sessions;
        }
        catch (AccountingUnavailableException)
        {
            // Logins must keep working while Redis is down; a limit we cannot count is not enforced.
            BackendMetrics.SimultaneousUseUnchecked.Inc();
            return true;
        }
        if (open.Length == 0) return true;
        var horizon = time.GetUtcNow() - _staleAfter;
        var others = 0;
        foreach (var s in open)
        {
            if (s.LastUpdateAt < horizon) continue;
            var sameSession = (acctSessionId is not null && s.AcctSessionId == acctSessionId)
                || (callingStationId is not null && s.CallingStationId == callingStationId && NasKeyOf(s) == nasKey);
            if (!sameSession) others++;
        }
        return others < limit;
    }

    static string NasKeyOf(SessionView s) => s.NasIpAddress ?? s.NasIdentifier ?? "";
}
