namespace Neutrinet.RadiusBackend.Directory;

/// <summary>A member as stored in LDAP: <c>uid=&lt;Id&gt;,ou=people,...</c>, keyed by an opaque id that never changes.</summary>
public sealed record MemberEntry(
    string Id,
    string Email,
    string DisplayName,
    bool Suspended,
    RadiusProfile Radius,
    IReadOnlyList<VpnTokenEntry> Tokens);

/// <summary>Per-member RADIUS reply data kept in LDAP.</summary>
public sealed record RadiusProfile(
    string? FramedIpAddress,
    string? FramedIpv6Prefix,
    IReadOnlyList<string> FramedRoutes,
    int? SimultaneousUse)
{
    public static readonly RadiusProfile Empty = new(null, null, [], null);
}

/// <summary>A VPN token child entry: <c>cn=&lt;Id&gt;,uid=&lt;member&gt;,...</c>; only its salted hash is stored.</summary>
public sealed record VpnTokenEntry(string Id, string Label, DateTimeOffset Created, string PasswordHash, bool Suspended);

/// <summary>
/// What a login needs of a member, read with fewer attributes than <see cref="MemberEntry"/> (no display name, token
/// labels or dates): the RADIUS path's cold read and its Redis copy.
/// </summary>
public sealed record LoginEntry(string Id, bool Suspended, RadiusProfile Radius, IReadOnlyList<LoginToken> Tokens);

/// <summary>A VPN token as a login needs it: its id, stored <c>{SSHA512}</c> value and suspension.</summary>
public sealed record LoginToken(string Id, string PasswordHash, bool Suspended);

public sealed record NewMember(string Email, string DisplayName, string? PasswordHash);

public sealed class MemberAlreadyExistsException(string message) : Exception(message);

public sealed class MemberNotFoundException(string message) : Exception(message);
