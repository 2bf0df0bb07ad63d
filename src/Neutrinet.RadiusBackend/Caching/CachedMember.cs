using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Radius;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.Caching;

/// <summary>An entry of the in-process cache layer: a member, or the remembered absence of one.</summary>
public abstract class MemoryEntry(long fetchedAtMs)
{
    /// <summary>When LDAP was read (unix ms); an entry found in Redis keeps the age of that read.</summary>
    public long FetchedAtMs { get; } = fetchedAtMs;
}

internal sealed class AbsentMember(long fetchedAtMs) : MemoryEntry(fetchedAtMs);

/// <summary>
/// What a login needs of a member, derived once per directory read. After a reconnect storm the process holds one
/// for every member, so it keeps decoded token hashes and the ready Access-Accept rather than the entry's strings
/// (display name, labels, dates and the hash text stay in LDAP and Redis): about 0.6 KiB per member.
/// </summary>
public sealed class CachedMember : MemoryEntry
{
    CachedMember(string id, bool suspended, int? simultaneousUse, CachedToken[] tokens, RlmReply accept, long fetchedAtMs)
        : base(fetchedAtMs)
    {
        Id = id;
        Suspended = suspended;
        SimultaneousUse = simultaneousUse;
        Tokens = tokens;
        Accept = accept;
    }

    public string Id { get; }
    public bool Suspended { get; }

    /// <summary>The member's own session limit; null means the configured default.</summary>
    public int? SimultaneousUse { get; }

    /// <summary>Tokens whose stored hash could be decoded; one that cannot is as good as absent.</summary>
    public IReadOnlyList<CachedToken> Tokens { get; }

    /// <summary>The Access-Accept body for the configured flow (Auth-Type Accept or rest, plus the member's attributes).</summary>
    public RlmReply Accept { get; }

    public static CachedMember From(MemberEntry member, long fetchedAtMs, RadiusOptions options)
    {
        var tokens = new List<CachedToken>(member.Tokens.Count);
        foreach (var token in member.Tokens)
            if (VpnTokens.TryDecodeLdapValue(token.PasswordHash, out var digestThenSalt))
                tokens.Add(new CachedToken(token.Id, digestThenSalt, token.Suspended));
        var authType = options.Flow == AuthFlow.SingleCall ? "Accept" : "rest";
        var accept = new RlmReply(StatusCodes.Status200OK, RlmReply.AcceptBody(authType, member.Radius, options));
        return new CachedMember(member.Id, member.Suspended, member.Radius.SimultaneousUse, [.. tokens], accept, fetchedAtMs);
    }
}

/// <summary>A VPN token as a login checks it: <c>SHA512(secret‖salt)</c> followed by the salt, as slapd stores it.</summary>
public sealed record CachedToken(string Id, byte[] DigestThenSalt, bool Suspended);
