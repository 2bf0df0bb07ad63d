using System.ComponentModel.DataAnnotations;

namespace Neutrinet.RadiusBackend.Accounting;

public sealed class AccountingOptions
{
    /// <summary>Closed sessions are kept this long for the members' and admins' views.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")] public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>An open session with no update for this long is a ghost (lost Stop): it stops counting for
    /// simultaneous use and the sweeper closes it. Keep it above a few interim intervals.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")] public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How long this instance trusts its memory copy of a member's open sessions. Accounting for that member
    /// (here or, by broadcast, on another instance) refreshes it at once, and the whole copy is dropped when the Redis
    /// connection is restored (messages may have been missed), so this only bounds the unforeseen.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")] public TimeSpan OpenSessionsFreshFor { get; set; } = TimeSpan.FromMinutes(5);

    [Range(1, 10_000)] public int RecentSessionsPerMember { get; set; } = 100;
}
