using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Directory;
using Prometheus;
using StackExchange.Redis;

namespace Neutrinet.RadiusBackend.Observability;

internal static class ObservabilityApi
{
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        // .NET's own meters (Kestrel, HTTP server) would be recorded on every request through a listener: the
        // warm login path cannot afford that, and our own metrics already cover what operators need.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddOpenApi(o => o.AddSecurityRequirements());
        builder.Services.AddHealthChecks()
            .AddCheck<LdapHealthCheck>("ldap", HealthStatus.Unhealthy, ["ready"])
            .AddCheck<RedisHealthCheck>("redis", HealthStatus.Degraded, ["ready"]);
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication UseObservability(this WebApplication app)
    {
        app.UseExceptionHandler();
        return app;
    }

    /// <summary>A problem-details body for every bare 4xx/5xx answer to people's requests.</summary>
    public static IApplicationBuilder UseProblemStatusPages(this IApplicationBuilder people) => people.UseStatusCodePages();

    public static IEndpointRouteBuilder MapObservability(this IEndpointRouteBuilder app)
    {
        app.MapMetrics("/metrics");
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteReport });
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }

    static Task WriteReport(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}

/// <summary>LDAP unreachable: not ready (only members within the outage grace can log in).</summary>
internal sealed class LdapHealthCheck(MemberDirectory directory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await directory.PingAsync(ct);
            return HealthCheckResult.Healthy("LDAP answers as the service account");
        }
        catch (Exception ex) when (ex is DirectoryUnavailableException or OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "LDAP is unavailable");
        }
    }
}

/// <summary>Redis unreachable: degraded (logins go on from LDAP; accounting is refused so FreeRADIUS retries).</summary>
internal sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await redis.Database.PingAsync();
            return HealthCheckResult.Healthy("Redis answers");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis is unavailable");
        }
    }
}

/// <summary>The one place exceptions become status codes; every error body is RFC 7807 problem details.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            MemberAlreadyExistsException => (StatusCodes.Status409Conflict, "Conflict"),
            MemberNotFoundException => (StatusCodes.Status404NotFound, "Not found"),
            DirectoryUnavailableException or AccountingUnavailableException or RedisException or Security.PasswordHashingBusyException =>
                (StatusCodes.Status503ServiceUnavailable, "Backend temporarily unavailable"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error"),
        };
        if (status >= 500) logger.LogError(exception, "Request failed with {Status}", status);
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = status < 500 ? exception.Message : null },
        });
    }
}
