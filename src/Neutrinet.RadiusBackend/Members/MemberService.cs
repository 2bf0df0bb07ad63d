using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Radius;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.Members;

public sealed class InvalidMemberInputException(string message) : Exception(message);

public sealed record CreatedMember(MemberEntry Member, IssuedVpnToken VpnToken);

/// <summary>
/// Member life-cycle used by the command line and the members API alike. Every change invalidates the member's
/// cache entries so the very next RADIUS request sees it.
/// </summary>
public sealed class MemberService(MemberDirectory directory, MemberCache cache, PasswordHasher hasher, SessionStore sessions)
{
    public const string FirstTokenLabel = "first device";

    public async Task<CreatedMember> CreateAsync(string email, string? displayName, string? password, CancellationToken ct = default)
    {
        var normalized = NormalizeEmail(email);
        var name = string.IsNullOrWhiteSpace(displayName) ? normalized.Split('@')[0] : displayName.Trim();
        if (name.Length > 128 || name.Any(char.IsControl)) throw new InvalidMemberInputException("Display name is too long or has control characters");
        var passwordHash = password is null ? null : await hasher.HashForLdapAsync(password, ct);
        var token = VpnTokens.Issue();
        var member = await directory.CreateAsync(new NewMember(normalized, name, passwordHash), token, FirstTokenLabel, ct);
        await cache.InvalidateAsync([normalized]);
        return new CreatedMember(member, token);
    }

    public async Task<IssuedVpnToken> IssueTokenAsync(MemberEntry member, string label, CancellationToken ct = default)
    {
        var token = VpnTokens.Issue();
        await directory.AddTokenAsync(member.Id, token, CleanLabel(label), ct);
        await cache.InvalidateAsync([member.Email]);
        return token;
    }

    public async Task<bool> RevokeTokenAsync(MemberEntry member, string tokenId, CancellationToken ct = default)
    {
        var removed = await directory.RemoveTokenAsync(member.Id, tokenId, ct);
        await cache.InvalidateAsync([member.Email]);
        return removed;
    }

    public async Task SetSuspendedAsync(MemberEntry member, bool suspended, CancellationToken ct = default)
    {
        await directory.SetSuspendedAsync(member.Id, suspended, ct);
        await cache.InvalidateAsync([member.Email]);
    }

    public async Task SetRadiusProfileAsync(MemberEntry member, RadiusProfile profile, CancellationToken ct = default)
    {
        await directory.UpdateRadiusProfileAsync(member.Id, profile, ct);
        await cache.InvalidateAsync([member.Email]);
    }

    /// <summary>Tokens first, then the member; open sessions are closed and caches dropped.</summary>
    public async Task<bool> DeleteAsync(MemberEntry member, CancellationToken ct = default)
    {
        var deleted = await directory.DeleteAsync(member.Id, ct);
        await cache.InvalidateAsync([member.Email]);
        try { await sessions.CloseOwnerSessionsAsync(member.Id, "Admin-Reset"); }
        catch (AccountingUnavailableException) { /* the stale-session sweeper closes them later */ }
        return deleted;
    }

    public static string NormalizeEmail(string email)
    {
        if (UserNames.Normalize(email, out var normalized) != UserNames.Verdict.Ok)
            throw new InvalidMemberInputException("Not a valid email address");
        // LDAP's mail attribute is IA5 (ASCII): internationalised domains must be given in punycode.
        if (!System.Text.Ascii.IsValid(normalized))
            throw new InvalidMemberInputException("The email address must be ASCII (write an internationalised domain in punycode)");
        return normalized;
    }

    static string CleanLabel(string label)
    {
        var clean = new string([.. label.Trim().Where(c => !char.IsControl(c))]);
        return clean.Length is 0 ? "device" : clean[..Math.Min(clean.Length, 64)];
    }
}
