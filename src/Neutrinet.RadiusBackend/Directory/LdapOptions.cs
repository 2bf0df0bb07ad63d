using System.ComponentModel.DataAnnotations;

namespace Neutrinet.RadiusBackend.Directory;

public sealed class LdapOptions
{
    [Required] public string Host { get; set; } = "127.0.0.1";
    [Range(1, 65535)] public int Port { get; set; } = 389;
    [Required] public string BaseDn { get; set; } = "dc=neutrinet,dc=be";
    [Required] public string BindDn { get; set; } = "cn=member-api,ou=services,dc=neutrinet,dc=be";
    [Required] public string BindPassword { get; set; } = "";

    /// <summary>Connections (and worker threads); SDS.P serialises per handle, so a few beat one shared handle.</summary>
    [Range(1, 64)] public int PoolSize { get; set; } = 4;

    /// <summary>
    /// Batches of login reads in flight at once (at most <see cref="PoolSize"/>). Fewer means larger batches in a
    /// reconnect storm, so fewer round trips per login; a lone login never waits for a batch to fill.
    /// </summary>
    [Range(1, 64)] public int LoginReadConcurrency { get; set; } = 1;

    /// <summary>Our own watchdog: SDS.P's timeouts are not enforced on Linux when slapd hangs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")] public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Watchdog for writes (member and token changes): not on the login path, so it may wait longer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")] public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After a failure, calls fail fast for this long instead of queueing behind a dead server.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")] public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A connection idle longer than this is rebuilt before use (libldap may have reconnected it unbound).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan MaxIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Read LDAP answers through liblber's read-ahead buffer (one read() for many messages instead of a poll() and two
    /// read()s per message). On by default; off is the escape hatch should a libldap build not take the layer.
    /// </summary>
    public bool ReadAhead { get; set; } = true;

    public string PeopleDn => $"ou=people,{BaseDn}";
    public string GroupsDn => $"ou=groups,{BaseDn}";
}
