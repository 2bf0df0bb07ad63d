using System.ComponentModel.DataAnnotations;

namespace Neutrinet.RadiusBackend.Caching;

public sealed class CacheOptions
{
    /// <summary>A cached member younger than this is used without asking LDAP. Changes made through this service
    /// invalidate at once; this only bounds edits made behind its back.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")] public TimeSpan FreshFor { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>While LDAP is unavailable, a member seen within this window may still log in (counted in metrics).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")] public TimeSpan LdapOutageGrace { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A member with a cached entry inside the outage grace waits at most this long for LDAP: then the cached
    /// entry answers and the LDAP read finishes in the background (a slow or hung LDAP never stalls a known member).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")] public TimeSpan StaleAnswerAfter { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long "no such member" is remembered in memory (blunts floods of unknown names).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")] public TimeSpan NegativeFor { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1000, 10_000_000)] public int MaxMemoryEntries { get; set; } = 250_000;
}
