using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Neutrinet.RadiusBackend.Auth.External;

/// <summary>
/// One ASP.NET Core remote-authentication scheme per external provider: the framework's OpenID Connect handler
/// (discovery, code flow + PKCE, PAR when offered, state, nonce, ID-token validation, userinfo) or its generic OAuth
/// handler (code flow + PKCE, state; userinfo fetched once the code is exchanged). The handlers own the callback path
/// <c>/api/auth/{name}/callback</c>; the ticket they produce never becomes a cookie: <see cref="ExternalLogin"/> turns
/// it into the AuthManager's own session, and every failure lands on the login page with an error code.
/// </summary>
internal static class ExternalSchemes
{
    const string ClaimsItem = "nrb.external.claims";
    static readonly string[] BaseScopes = ["openid", "profile", "email"];
    public const string LoginPage = "/";
    public const string MemberPage = "/member.html";

    public static void AddExternalProviders(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        authentication.Services.AddSingleton<ExternalLogin>();
        foreach (var settings in ExternalProviderSettings.FromConfiguration(configuration))
        {
            if (settings.Type == ExternalProviderSettings.Oidc)
            {
                authentication.AddOpenIdConnect(settings.Scheme, settings.DisplayName, _ => { });
                authentication.Services.AddOptions<OpenIdConnectOptions>(settings.Scheme)
                    .Configure<IOptions<AuthOptions>>((o, auth) => ConfigureOidc(o, settings, auth.Value));
            }
            else
            {
                authentication.AddOAuth(settings.Scheme, settings.DisplayName, _ => { });
                authentication.Services.AddOptions<OAuthOptions>(settings.Scheme)
                    .Configure<IOptions<AuthOptions>>((o, auth) => ConfigureOAuth(o, settings, auth.Value));
            }
        }
    }

    static void ConfigureOidc(OpenIdConnectOptions o, ExternalProviderSettings settings, AuthOptions auth)
    {
        ConfigureRemote(o, settings, auth);
        o.MetadataAddress = settings.ConfigUrl!.ToString();
        o.RequireHttpsMetadata = !ExternalProviderSettings.IsLoopback(settings.ConfigUrl);
        // A provider down at start-up or at the first log-in is asked again soon, not after the default 5 minutes.
        o.RefreshInterval = TimeSpan.FromSeconds(30);
        o.ClientId = settings.ClientId;
        o.ClientSecret = settings.ClientSecret;
        o.ResponseType = OpenIdConnectResponseType.Code;
        // A top-level GET back to us: the correlation and nonce cookies (SameSite=Lax) come along, unlike a cross-site form_post.
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.UsePkce = true;
        o.PushedAuthorizationBehavior = settings.UsePar switch
        {
            true => PushedAuthorizationBehavior.Require,
            false => PushedAuthorizationBehavior.Disable,
            null => PushedAuthorizationBehavior.UseIfAvailable,
        };
        o.Scope.Clear();
        foreach (var scope in BaseScopes.Concat(settings.ExtraScopes).Distinct(StringComparer.Ordinal))
            o.Scope.Add(scope);
        // Email, name and groups usually come from userinfo, not from the ID token.
        o.GetClaimsFromUserInfoEndpoint = true;
        o.MapInboundClaims = false;
        o.SaveTokens = false;
        o.TokenValidationParameters.NameClaimType = "name";
        o.NonceCookie.SameSite = SameSiteMode.Lax;
        o.NonceCookie.SecurePolicy = auth.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        o.SignedOutCallbackPath = $"/api/auth/{settings.Name}/signed-out";
        o.RemoteSignOutPath = $"/api/auth/{settings.Name}/remote-signout";
        o.Events = new OpenIdConnectEvents
        {
            OnTokenValidated = context =>
            {
                // The ID token is validated (signature, issuer, audience, expiry, nonce) by now; keep its claims.
                if (context.TokenEndpointResponse?.IdToken is { } idToken) Merge(context.HttpContext, JwtPayload(idToken));
                return Task.CompletedTask;
            },
            OnUserInformationReceived = context =>
            {
                Merge(context.HttpContext, JsonNode.Parse(context.User.RootElement.GetRawText()) as JsonObject);
                return Task.CompletedTask;
            },
            OnTicketReceived = context => CompleteAsync(context, settings),
            OnRemoteFailure = context => FailAsync(context, settings),
        };
    }

    static void ConfigureOAuth(OAuthOptions o, ExternalProviderSettings settings, AuthOptions auth)
    {
        ConfigureRemote(o, settings, auth);
        o.AuthorizationEndpoint = settings.AuthorizationUrl!.ToString();
        o.TokenEndpoint = settings.TokenUrl!.ToString();
        o.UserInformationEndpoint = settings.UserInfoUrl!.ToString();
        o.ClientId = settings.ClientId;
        o.ClientSecret = settings.ClientSecret;
        o.UsePkce = true;
        o.SaveTokens = false;
        o.Scope.Clear();
        foreach (var scope in settings.ExtraScopes) o.Scope.Add(scope);
        o.Events = new OAuthEvents
        {
            OnCreatingTicket = async context =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, context.Options.UserInformationEndpoint);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                using var response = await context.Backchannel.SendAsync(request, HttpCompletionOption.ResponseContentRead, context.HttpContext.RequestAborted);
                if (!response.IsSuccessStatusCode)
                    throw new AuthenticationFailureException($"userinfo answered {(int)response.StatusCode}");
                Merge(context.HttpContext, JsonNode.Parse(await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted)) as JsonObject
                    ?? throw new AuthenticationFailureException("userinfo is not a JSON object"));
            },
            OnTicketReceived = context => CompleteAsync(context, settings),
            OnRemoteFailure = context => FailAsync(context, settings),
        };
    }

    static void ConfigureRemote(RemoteAuthenticationOptions o, ExternalProviderSettings settings, AuthOptions auth)
    {
        o.CallbackPath = settings.CallbackPath;
        o.BackchannelTimeout = auth.ExternalProviderTimeout;
        o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = auth.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        o.CorrelationCookie.Name = ".nrb.correlation.";
    }

    /// <summary>The handler validated the round trip: find, link or register the member and start our own session.</summary>
    static async Task CompleteAsync(TicketReceivedContext context, ExternalProviderSettings settings)
    {
        context.HandleResponse(); // no external cookie: the refresh cookie set by the AuthManager is the session
        var http = context.HttpContext;
        var logger = http.RequestServices.GetRequiredService<ILogger<ExternalLogin>>();
        var claims = http.Items[ClaimsItem] as JsonObject ?? [];
        var identity = ExternalIdentity.From(settings, claims);
        if (identity is null)
        {
            logger.LogWarning("External log-in via {Provider}: no subject claim '{Claim}'", settings.Name, settings.SubjectClaim);
            http.Response.Redirect(ErrorUrl(settings, ExternalLoginError.NoSubject));
            return;
        }
        try
        {
            var outcome = await http.RequestServices.GetRequiredService<ExternalLogin>().CompleteAsync(identity, http, http.RequestAborted);
            http.Response.Redirect(outcome.Error is { } error ? ErrorUrl(settings, error) : MemberPage);
        }
        catch (Exception e) when (e is Directory.DirectoryUnavailableException or StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogError(e, "External log-in via {Provider}: the directory or the session store is unavailable", settings.Name);
            http.Response.Redirect(ErrorUrl(settings, ExternalLoginError.DirectoryUnavailable));
        }
    }

    /// <summary>Tampered or missing state, a nonce or ID token that does not validate, the user refusing, the provider
    /// failing: a clear message on the login page instead of an empty 500, and no session.</summary>
    static Task FailAsync(RemoteFailureContext context, ExternalProviderSettings settings)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILogger<ExternalLogin>>();
        logger.LogWarning("External log-in via {Provider} refused: {Reason}", settings.Name, context.Failure?.Message);
        var unavailable = context.Failure is HttpRequestException or TaskCanceledException
            || context.Failure?.InnerException is HttpRequestException or TaskCanceledException;
        context.Response.Redirect(ErrorUrl(settings, unavailable ? ExternalLoginError.ProviderUnavailable : ExternalLoginError.ProviderFailed));
        context.HandleResponse();
        return Task.CompletedTask;
    }

    public static string ErrorUrl(ExternalProviderSettings settings, ExternalLoginError error) =>
        $"{LoginPage}?error={ErrorCode(error)}&provider={Uri.EscapeDataString(settings.Name)}";

    static string ErrorCode(ExternalLoginError error) => error switch
    {
        ExternalLoginError.ProviderFailed => "provider_failed",
        ExternalLoginError.ProviderUnavailable => "provider_unavailable",
        ExternalLoginError.NoSubject => "no_subject",
        ExternalLoginError.EmailMissing => "email_missing",
        ExternalLoginError.EmailNotVerified => "email_not_verified",
        ExternalLoginError.Suspended => "suspended",
        _ => "unavailable",
    };

    static void Merge(HttpContext http, JsonObject? claims)
    {
        if (claims is null) return;
        var merged = http.Items[ClaimsItem] as JsonObject ?? [];
        foreach (var (key, value) in claims) merged[key] = value?.DeepClone();
        http.Items[ClaimsItem] = merged;
    }

    static JsonObject? JwtPayload(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length < 2) return null;
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))) as JsonObject;
    }
}
