using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Auth.External;
using Neutrinet.RadiusBackend.Auth.SimpleForm;

namespace Neutrinet.RadiusBackend.Auth;

internal static class AuthSetup
{
    public const string ClientRateLimit = "auth-per-client";
    public const string AdminPolicy = "admin";

    public static WebApplicationBuilder AddAuth(this WebApplicationBuilder builder)
    {
        AuthConfigFileSource.AddTo(builder.Configuration, builder.Environment.ContentRootPath);
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration("Auth").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<RefreshTokens>();
        services.AddSingleton<AccountRateLimiter>();
        services.AddSingleton<PasswordResets>();
        services.AddSingleton<SessionRoles>();
        services.AddSingleton<AuthManager>();
        services.AddHttpClient();

        // JWT access tokens for the API; one remote scheme per configured OAuth2/OIDC provider (started only by its
        // module's /login, so the default scheme stays the bearer token).
        // External log-ins protect their state and correlation cookies with Data Protection: its key ring lives in
        // Redis so a restart or another instance can finish a log-in that this one started.
        services.AddDataProtection().SetApplicationName("neutrinet-radius-backend");
        services.AddOptions<KeyManagementOptions>().Configure<Caching.RedisConnection>((keys, redis) =>
            keys.XmlRepository = new RedisXmlRepository(() => redis.Database, redis.Prefix + "dataprotection-keys"));

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer()
            .AddExternalProviders(builder.Configuration);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AccessTokens, RefreshTokens>((jwt, access, refresh) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = access.ValidationParameters();
                jwt.Events = new JwtBearerEvents
                {
                    // Log-out and reuse detection end a session before its access token expires.
                    OnTokenValidated = async context =>
                    {
                        var family = context.Principal?.FindFirst("sid")?.Value;
                        if (family is null || !await refresh.IsFamilyActiveAsync(family)) context.Fail("session ended");
                    },
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireClaim("role", "admin"));

        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ClientRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.RequestsPerClientPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            limiter.OnRejected = async (context, ct) =>
            {
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = "Slow down and try again later." },
                });
            };
        });
        return builder;
    }

    /// <summary>Sign-in, roles and rate limits for people's requests (FreeRADIUS has its own shared secret).</summary>
    public static IApplicationBuilder UseAuth(this IApplicationBuilder people)
    {
        people.UseAuthentication();
        people.UseAuthorization();
        people.UseRateLimiter();
        return people;
    }
}
