using System.Text.Json.Nodes;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Members;

namespace Neutrinet.RadiusBackend.Auth.External;

/// <summary>Who the provider says the user is, read from its claims (ID token and userinfo, merged).</summary>
public sealed record ExternalIdentity(string Provider, string Type, string Subject, string? Email, bool EmailVerified,
    string? DisplayName, IReadOnlyList<string> Roles)
{
    /// <summary>The <c>neutrinetExternalId</c> value: <c>&lt;type&gt;:&lt;provider&gt;:&lt;subject&gt;</c> (ldap/README.md).</summary>
    public string ExternalId => $"{Type}:{Provider}:{Subject}";

    public static ExternalIdentity? From(ExternalProviderSettings settings, JsonObject claims)
    {
        var subject = RoleMapping.First(claims, settings.SubjectClaim)
            ?? (settings.Type == ExternalProviderSettings.OAuth ? RoleMapping.First(claims, "id") : null);
        if (string.IsNullOrEmpty(subject)) return null;
        var email = RoleMapping.First(claims, settings.EmailClaim);
        var name = RoleMapping.First(claims, settings.NameClaim) ?? RoleMapping.First(claims, "preferred_username");
        return new ExternalIdentity(settings.Name, settings.Type, subject, email, RoleMapping.IsTrue(claims, "email_verified"),
            name, RoleMapping.Map(claims, settings.RoleRules));
    }
}

/// <summary>Why an external log-in did not end in a session; the login page shows a message per code.</summary>
public enum ExternalLoginError
{
    ProviderFailed, ProviderUnavailable, NoSubject, EmailMissing, EmailNotVerified, Suspended, DirectoryUnavailable,
}

public sealed record ExternalLoginOutcome(LoginResult? Result, ExternalLoginError? Error);

/// <summary>
/// The end of every external log-in: find the member by the provider's subject link; else link by email, but only
/// when the provider says the email is verified; else register a new member (no password, no VPN token yet). Then
/// profile fields are merged and the <see cref="AuthManager"/> logs the member in with the provider's roles.
/// </summary>
public sealed class ExternalLogin(MemberDirectory directory, MemberService members, Caching.MemberCache cache, AuthManager manager,
    ILogger<ExternalLogin> logger)
{
    public async Task<ExternalLoginOutcome> CompleteAsync(ExternalIdentity identity, HttpContext http, CancellationToken ct)
    {
        if (!System.Text.Ascii.IsValid(identity.ExternalId) || identity.ExternalId.Length > 512)
            return Fail(ExternalLoginError.NoSubject);

        var member = await directory.FindByExternalIdAsync(identity.ExternalId, ct);
        if (member is null)
        {
            if (string.IsNullOrWhiteSpace(identity.Email)) return Fail(ExternalLoginError.EmailMissing);
            string email;
            try { email = MemberService.NormalizeEmail(identity.Email); }
            catch (InvalidMemberInputException) { return Fail(ExternalLoginError.EmailMissing); }

            var existing = await directory.FindByEmailAsync(email, ct);
            if (existing is not null)
            {
                // Linking by email hands the existing account to whoever the provider vouches for: only when it
                // says it checked the address.
                if (!identity.EmailVerified)
                {
                    logger.LogWarning("External log-in via {Provider}: email not verified by the provider and already used; not linked", identity.Provider);
                    return Fail(ExternalLoginError.EmailNotVerified);
                }
                member = existing;
                logger.LogInformation("Member {MemberId} linked to {Provider} by verified email", member.Id, identity.Provider);
            }
            else
            {
                CreatedMember created;
                try
                {
                    created = await members.CreateAsync(email, Clean(identity.DisplayName), password: null, ct);
                }
                catch (MemberAlreadyExistsException)
                {
                    // A registration raced this one: treat as existing next time.
                    return Fail(ExternalLoginError.DirectoryUnavailable);
                }
                // Nobody saw the first token's secret: the member creates tokens on the member page, each shown once.
                await members.RevokeTokenAsync(created.Member, created.VpnToken.TokenId, ct);
                member = created.Member with { Tokens = [] };
                logger.LogInformation("Member {MemberId} registered through {Provider}", member.Id, identity.Provider);
            }
            await directory.AddExternalIdAsync(member.Id, identity.ExternalId, ct);
        }

        if (member.Suspended) return Fail(ExternalLoginError.Suspended);
        member = await MergeProfileAsync(member, identity, ct);
        var result = await manager.LogInAsync(member, http, identity.Roles, ct);
        logger.LogInformation("Member {MemberId} logged in through {Provider} with roles {Roles}", member.Id, identity.Provider,
            string.Join(",", result.Roles));
        return new ExternalLoginOutcome(result, null);
    }

    /// <summary>The provider's display name replaces only the default one (the email's local part), never a chosen one.</summary>
    async Task<MemberEntry> MergeProfileAsync(MemberEntry member, ExternalIdentity identity, CancellationToken ct)
    {
        var name = Clean(identity.DisplayName);
        var isDefault = string.IsNullOrEmpty(member.DisplayName) || member.DisplayName == member.Email.Split('@')[0];
        if (name is null || !isDefault || name == member.DisplayName) return member;
        await directory.UpdateAccountAsync(member.Id, null, name, null, ct);
        await cache.InvalidateAsync([member.Email]);
        return member with { DisplayName = name };
    }

    static string? Clean(string? name)
    {
        var clean = name is null ? "" : new string([.. name.Trim().Where(c => !char.IsControl(c))]);
        return clean.Length is 0 or > 128 ? null : clean;
    }

    static ExternalLoginOutcome Fail(ExternalLoginError error) => new(null, error);
}
