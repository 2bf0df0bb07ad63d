using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Neutrinet.RadiusBackend.Auth.External;

/// <summary>
/// An OAuth2 or OpenID Connect provider as an auth module: a button on the login page whose start URL is
/// <c>GET /api/auth/{name}/login</c>. The protocol is the framework handler's (<see cref="ExternalSchemes"/>).
/// </summary>
public sealed class ExternalLoginModule(ExternalProviderSettings settings, IHttpClientFactory httpClients, IOptions<AuthOptions> options,
    ILogger<ExternalLoginModule> logger) : IAuthModule
{
    public string Name => settings.Name;

    public ProviderDescription Describe() => new(Name, settings.DisplayName, "redirect", StartUrl: settings.StartPath);

    public void MapEndpoints(RouteGroupBuilder group)
    {
        group.MapGet("/login", Login).RequireRateLimiting(AuthSetup.ClientRateLimit)
            .WithSummary($"Starts a log-in through {settings.DisplayName} ({settings.Type}): redirects to the provider");
        // The handler answers this path itself (UseAuthentication); the endpoint only documents it and catches the
        // case where the handler did not run.
        group.MapGet("/callback", () => Results.Redirect(ExternalSchemes.ErrorUrl(settings, ExternalLoginError.ProviderFailed)))
            .WithSummary($"End of the log-in through {settings.DisplayName}: sets the refresh cookie and redirects to the member page");
    }

    async Task Login(HttpContext http)
    {
        var properties = new AuthenticationProperties { RedirectUri = ExternalSchemes.MemberPage };
        try
        {
            // Plain OAuth2 has no discovery to fail early: check the provider answers at all before sending the user there.
            if (settings.Type == ExternalProviderSettings.OAuth) await ProbeAsync(http.RequestAborted);
            await http.ChallengeAsync(settings.Scheme, properties); // OIDC: discovery (cached) and PAR happen here
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or IOException)
        {
            logger.LogWarning("External provider {Provider} unavailable: {Reason}", Name, e.Message);
            http.Response.Clear();
            http.Response.Redirect(ExternalSchemes.ErrorUrl(settings, ExternalLoginError.ProviderUnavailable));
        }
    }

    async Task ProbeAsync(CancellationToken ct)
    {
        using var client = httpClients.CreateClient("external-probe");
        client.Timeout = options.Value.ExternalProviderTimeout;
        using var request = new HttpRequestMessage(HttpMethod.Head, settings.AuthorizationUrl);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct); // any status: it is up
    }
}
