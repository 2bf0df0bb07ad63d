using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Neutrinet.RadiusBackend.Auth.SimpleForm;

namespace Neutrinet.RadiusBackend.Auth;

public sealed record RefreshRequest(string? RefreshToken);
public sealed record AuthStatus(bool Authenticated, string? MemberId, string? Email, IReadOnlyList<string> Roles, DateTimeOffset? ExpiresAt);

internal static class AuthApi
{
    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Authentication");
        auth.MapGet("/providers", Providers).WithSummary("What a login page draws: a form per form module, a button per provider");
        auth.MapPost("/refresh", Refresh).RequireRateLimiting(AuthSetup.ClientRateLimit)
            .WithSummary("Rotates a refresh token (body or cookie) into a new token pair");
        auth.MapPost("/logout", Logout).WithSummary("Revokes the session (the refresh token's family)");
        auth.MapGet("/status", Status).WithSummary("Who the access token belongs to");

        var manager = app.ServiceProvider.GetRequiredService<AuthManager>();
        foreach (var module in manager.Modules)
            module.MapEndpoints(auth.MapGroup("/" + module.Name).WithTags("Authentication: " + module.Name));
        return auth;
    }

    static Ok<IReadOnlyList<ProviderDescription>> Providers(AuthManager manager) =>
        TypedResults.Ok<IReadOnlyList<ProviderDescription>>([.. manager.Modules.Select(m => m.Describe())]);

    static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Refresh(RefreshRequest? body, HttpContext http, AuthManager manager, CancellationToken ct)
    {
        var presented = body?.RefreshToken ?? http.Request.Cookies[AuthManager.RefreshCookie];
        if (string.IsNullOrEmpty(presented))
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "No refresh token");
        var (status, result) = await manager.RefreshAsync(presented, http, ct);
        return status switch
        {
            RefreshStatus.Ok => TypedResults.Ok(new TokenResponse(result!.Tokens.AccessToken, result.Tokens.RefreshToken, result.Tokens.ExpiresIn)),
            RefreshStatus.Unavailable => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Sessions are temporarily unavailable"),
            RefreshStatus.Reused => TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Refresh token reused",
                detail: "This token was already used; every session from that log-in has been ended. Log in again."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid or expired refresh token"),
        };
    }

    static async Task<NoContent> Logout(RefreshRequest? body, HttpContext http, AuthManager manager)
    {
        await manager.LogOutAsync(body?.RefreshToken ?? http.Request.Cookies[AuthManager.RefreshCookie], http);
        return TypedResults.NoContent();
    }

    static Ok<AuthStatus> Status(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true) return TypedResults.Ok(new AuthStatus(false, null, null, [], null));
        var exp = long.TryParse(user.FindFirstValue("exp"), out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
        return TypedResults.Ok(new AuthStatus(true, user.FindFirstValue("sub"), user.FindFirstValue("email"),
            [.. user.FindAll("role").Select(c => c.Value)], exp));
    }
}
