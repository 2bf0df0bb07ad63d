using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Auth;
using Neutrinet.RadiusBackend.Auth.SimpleForm;
using Neutrinet.RadiusBackend.Directory;

namespace Neutrinet.RadiusBackend.Members;

public sealed record MemberPage(IReadOnlyList<MemberView> Items, int Page, int PageSize, bool HasMore);
public sealed record RadiusProfileRequest(string? FramedIpAddress, string? FramedIpv6Prefix, List<string>? FramedRoutes, int? SimultaneousUse);
public sealed record PasswordResetIssued(string ResetToken, DateTimeOffset ExpiresAt);

/// <summary>Operators' endpoints (role admin, from the LDAP group mapped in Auth:RoleGroups).</summary>
internal static class AdminApi
{
    public static RouteGroupBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(AuthSetup.AdminPolicy).WithTags("Admin");
        admin.MapGet("/members", Search);
        admin.MapGet("/members/{id}", Get);
        admin.MapPost("/members/{id}/suspend", (string id, MemberDirectory d, MemberService m, AuthManager a, CancellationToken ct) => Suspend(id, true, d, m, a, ct));
        admin.MapPost("/members/{id}/reactivate", (string id, MemberDirectory d, MemberService m, AuthManager a, CancellationToken ct) => Suspend(id, false, d, m, a, ct));
        admin.MapPut("/members/{id}/radius", SetRadius);
        admin.MapPut("/members/{id}/roles/{role}", (string id, string role, MemberDirectory d, Microsoft.Extensions.Options.IOptions<AuthOptions> o, CancellationToken ct) => SetRole(id, role, true, d, o.Value, ct));
        admin.MapDelete("/members/{id}/roles/{role}", (string id, string role, MemberDirectory d, Microsoft.Extensions.Options.IOptions<AuthOptions> o, CancellationToken ct) => SetRole(id, role, false, d, o.Value, ct));
        admin.MapPost("/members/{id}/password-reset", IssueReset);
        admin.MapGet("/sessions", ActiveSessions);
        return admin;
    }

    static async Task<Ok<MemberPage>> Search(string? query, int? page, int? pageSize, MemberDirectory directory, AuthManager auth, CancellationToken ct)
    {
        var size = Math.Clamp(pageSize ?? 50, 1, 200);
        var number = Math.Clamp(page ?? 1, 1, 1000);
        var found = await directory.SearchAsync((query ?? "").Trim(), size * number + 1, ct);
        var items = found.Skip(size * (number - 1)).Take(size).ToList();
        var views = new List<MemberView>(items.Count);
        foreach (var m in items) views.Add(await MembersApi.ViewAsync(m, auth, ct));
        return TypedResults.Ok(new MemberPage(views, number, size, found.Count > size * number));
    }

    static async Task<Results<Ok<MemberView>, NotFound>> Get(string id, MemberDirectory directory, AuthManager auth, CancellationToken ct) =>
        await directory.FindByIdAsync(id, ct) is { } m ? TypedResults.Ok(await MembersApi.ViewAsync(m, auth, ct)) : TypedResults.NotFound();

    static async Task<Results<NoContent, NotFound>> Suspend(string id, bool suspended, MemberDirectory directory, MemberService members,
        AuthManager auth, CancellationToken ct)
    {
        if (await directory.FindByIdAsync(id, ct) is not { } member) return TypedResults.NotFound();
        await members.SetSuspendedAsync(member, suspended, ct);
        if (suspended) await auth.EndAllSessionsAsync(member.Id);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<RadiusProfile>, NotFound, ValidationProblem>> SetRadius(string id, RadiusProfileRequest body,
        MemberDirectory directory, MemberService members, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.FramedIpAddress is { } ip && (!IPAddress.TryParse(ip, out var v4) || v4.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
            errors["framedIpAddress"] = ["Not an IPv4 address."];
        if (body.FramedIpv6Prefix is { } prefix && (!IPNetwork.TryParse(prefix, out var net) || net.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6))
            errors["framedIpv6Prefix"] = ["Not an IPv6 prefix such as 2001:db8:1::/56."];
        if (body.FramedRoutes is { } routes && routes.Any(r => r.Length is 0 or > 100 || r.Any(char.IsControl)))
            errors["framedRoutes"] = ["Each route is 1 to 100 printable characters."];
        if (body.SimultaneousUse is < 0 or > 1000) errors["simultaneousUse"] = ["0 (unlimited) to 1000."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (await directory.FindByIdAsync(id, ct) is not { } member) return TypedResults.NotFound();
        var profile = new RadiusProfile(body.FramedIpAddress, body.FramedIpv6Prefix, body.FramedRoutes ?? [], body.SimultaneousUse);
        await members.SetRadiusProfileAsync(member, profile, ct);
        return TypedResults.Ok(profile);
    }

    static async Task<Results<NoContent, NotFound, ValidationProblem>> SetRole(string id, string role, bool grant, MemberDirectory directory,
        AuthOptions options, CancellationToken ct)
    {
        var group = options.RoleGroups.FirstOrDefault(g => string.Equals(g.Value, role, StringComparison.Ordinal)).Key;
        if (group is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = [$"Unknown role; known: {string.Join(", ", options.RoleGroups.Values)}"] });
        if (await directory.FindByIdAsync(id, ct) is null) return TypedResults.NotFound();
        return await directory.SetGroupMembershipAsync(id, group, grant, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    static async Task<Results<Ok<PasswordResetIssued>, NotFound>> IssueReset(string id, MemberDirectory directory, PasswordResets resets,
        TimeProvider time, CancellationToken ct)
    {
        if (await directory.FindByIdAsync(id, ct) is null) return TypedResults.NotFound();
        return TypedResults.Ok(new PasswordResetIssued(await resets.IssueAsync(id), time.GetUtcNow().AddHours(1)));
    }

    static async Task<Ok<IReadOnlyList<SessionItem>>> ActiveSessions(int? offset, int? count, SessionStore sessions) =>
        TypedResults.Ok(MembersApi.ToItems(await sessions.ListOpenSessionsAsync(Math.Max(0, offset ?? 0), Math.Clamp(count ?? 100, 1, 1000))));
}
