using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Auth;
using Neutrinet.RadiusBackend.Auth.SimpleForm;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.Members;

public sealed record MemberView(string Id, string Email, string DisplayName, bool Suspended, RadiusProfile Radius, IReadOnlyList<string> Roles);
public sealed record UpdateMeRequest(string? DisplayName, string? Email);
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
public sealed record TokenView(string Id, string Label, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);
public sealed record CreateTokenRequest(string? Label);
public sealed record CreatedTokenView(string Id, string Label, string Secret);
public sealed record SessionItem(string Id, DateTimeOffset StartedAt, DateTimeOffset? StoppedAt, long DurationSeconds,
    ulong InputOctets, ulong OutputOctets, string? FramedIpAddress, string? CallingStationId, bool Open, string? TerminateCause);

/// <summary>The member's own data. Everything is keyed on the access token's subject: no route takes a member id.</summary>
internal static class MembersApi
{
    public static RouteGroupBuilder MapMembers(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/members/me").RequireAuthorization().WithTags("Members");
        me.MapGet("/", Get);
        me.MapPatch("/", Update);
        me.MapDelete("/", Delete);
        me.MapPost("/password", ChangePassword).RequireRateLimiting(AuthSetup.ClientRateLimit);
        me.MapGet("/tokens", ListTokens);
        me.MapPost("/tokens", CreateToken);
        me.MapDelete("/tokens/{id}", RevokeToken);
        me.MapGet("/sessions", Sessions);
        me.MapGet("/openvpn-profile", OpenVpnProfile.Download).WithSummary("The member's OpenVPN client profile (server and CA filled in)");
        return me;
    }

    internal static async Task<MemberEntry?> CurrentAsync(ClaimsPrincipal user, MemberDirectory directory, CancellationToken ct) =>
        user.FindFirstValue("sub") is { } id ? await directory.FindByIdAsync(id, ct) : null;

    static async Task<Results<Ok<MemberView>, NotFound>> Get(ClaimsPrincipal user, MemberDirectory directory, AuthManager auth, CancellationToken ct)
    {
        var member = await CurrentAsync(user, directory, ct);
        if (member is null) return TypedResults.NotFound();
        return TypedResults.Ok(await ViewAsync(member, auth, ct));
    }

    internal static async Task<MemberView> ViewAsync(MemberEntry m, AuthManager auth, CancellationToken ct) =>
        new(m.Id, m.Email, m.DisplayName, m.Suspended, m.Radius, await auth.RolesAsync(m, ct));

    static async Task<Results<Ok<MemberView>, NotFound, ValidationProblem, ProblemHttpResult>> Update(
        UpdateMeRequest body, ClaimsPrincipal user, MemberDirectory directory, Caching.MemberCache cache, AuthManager auth, CancellationToken ct)
    {
        var member = await CurrentAsync(user, directory, ct);
        if (member is null) return TypedResults.NotFound();
        string? email = null;
        if (body.Email is not null)
        {
            try { email = MemberService.NormalizeEmail(body.Email); }
            catch (InvalidMemberInputException e) { return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = [e.Message] }); }
        }
        var name = body.DisplayName?.Trim();
        if (name is { Length: 0 or > 128 } || (name?.Any(char.IsControl) ?? false))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["displayName"] = ["1 to 128 characters, no control characters."] });
        try
        {
            await directory.UpdateAccountAsync(member.Id, email == member.Email ? null : email, name, null, ct);
        }
        catch (MemberAlreadyExistsException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "This email cannot be used");
        }
        // The entry keeps its id; both the old and the new email keys are dropped from every cache.
        await cache.InvalidateAsync([member.Email, .. email is null ? Array.Empty<string>() : [email]]);
        return TypedResults.Ok(await ViewAsync((await directory.FindByIdAsync(member.Id, ct))!, auth, ct));
    }

    static async Task<Results<NoContent, NotFound>> Delete(ClaimsPrincipal user, MemberDirectory directory, MemberService members,
        AuthManager auth, HttpContext http, CancellationToken ct)
    {
        var member = await CurrentAsync(user, directory, ct);
        if (member is null) return TypedResults.NotFound();
        await members.DeleteAsync(member, ct);
        await auth.EndAllSessionsAsync(member.Id);
        await auth.LogOutAsync(null, http);
        return TypedResults.NoContent();
    }

    static async Task<Results<NoContent, NotFound, ValidationProblem, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest body, ClaimsPrincipal user, MemberDirectory directory, PasswordHasher hasher, AuthManager auth, CancellationToken ct)
    {
        var member = await CurrentAsync(user, directory, ct);
        if (member is null) return TypedResults.NotFound();
        var credentials = await directory.FindCredentialsByEmailAsync(member.Email, ct);
        if (credentials is not { PasswordHash: { } stored } || !await hasher.VerifyAsync(body.CurrentPassword ?? "", stored, ct))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The current password is wrong");
        if (PasswordPolicy.Check(body.NewPassword, member.Email) is { } weak)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["newPassword"] = [weak] });
        await directory.UpdateAccountAsync(member.Id, null, null, await hasher.HashForLdapAsync(body.NewPassword!, ct), ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<IReadOnlyList<TokenView>>, NotFound>> ListTokens(ClaimsPrincipal user, MemberDirectory directory,
        LoginOutcomes outcomes, CancellationToken ct)
    {
        var member = await CurrentAsync(user, directory, ct);
        if (member is null) return TypedResults.NotFound();
        IReadOnlyDictionary<string, DateTimeOffset> lastUsed;
        try { lastUsed = await outcomes.GetTokenLastUsedAsync(member.Id); }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException) { lastUsed = new Dictionary<string, DateTimeOffset>(); }
        return TypedResults.Ok<IReadOnlyList<TokenView>>([.. member.Tokens.OrderBy(t => t.Created)
            .Select(t => new TokenView(t.Id, t.Label, t.Created, lastUsed.TryGetValue(t.Id, out var used) ? used : null))]);
    }

    static async Task<Results<Created<CreatedTokenView>, NotFound, ProblemHttpResult>> CreateToken(CreateTokenRequest? body,
        ClaimsPrincipal user, MemberDirectory directory, MemberService members, CancellationToken ct)
    {
        var member = await CurrentAsync(user, directory, ct);
        if (member is null) return TypedResults.NotFound();
        if (member.Tokens.Count >= 20)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many VPN tokens", detail: "Revoke one first (20 at most).");
        var token = await members.IssueTokenAsync(member, body?.Label ?? "device", ct);
        var label = (await directory.FindByIdAsync(member.Id, ct))?.Tokens.FirstOrDefault(t => t.Id == token.TokenId)?.Label ?? "device";
        return TypedResults.Created($"/api/members/me/tokens/{token.TokenId}", new CreatedTokenView(token.TokenId, label, token.Secret));
    }

    static async Task<Results<NoContent, NotFound>> RevokeToken(string id, ClaimsPrincipal user, MemberDirectory directory,
        MemberService members, CancellationToken ct)
    {
        var member = await CurrentAsync(user, directory, ct);
        if (member is null || member.Tokens.All(t => t.Id != id)) return TypedResults.NotFound();
        await members.RevokeTokenAsync(member, id, ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<IReadOnlyList<SessionItem>>, NotFound>> Sessions(ClaimsPrincipal user, SessionStore sessions, CancellationToken ct)
    {
        if (user.FindFirstValue("sub") is not { } id) return TypedResults.NotFound();
        return TypedResults.Ok(ToItems(await sessions.GetRecentSessionsAsync(id, 50)));
    }

    internal static IReadOnlyList<SessionItem> ToItems(IEnumerable<SessionView> sessions) =>
        [.. sessions.Select(s => new SessionItem(s.Id, s.StartedAt, s.StoppedAt,
            s.Open ? (long)(s.LastUpdateAt - s.StartedAt).TotalSeconds : s.SessionTimeSeconds,
            s.InputOctets, s.OutputOctets, s.FramedIpAddress, s.CallingStationId, s.Open, s.TerminateCause))];
}
