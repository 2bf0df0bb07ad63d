using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Observability;
using Prometheus;

namespace Neutrinet.RadiusBackend.Radius;

/// <summary>The endpoints FreeRADIUS's rlm_rest calls. Status codes follow rlm_rest.md's tables.</summary>
internal static class RadiusApi
{
    public static RouteGroupBuilder MapRadius(this IEndpointRouteBuilder app)
    {
        // The handlers' services are singletons, taken once here: resolving them per call would open a DI scope for
        // every login.
        var services = app.ServiceProvider;
        var caller = services.GetRequiredService<FreeRadiusOnlyFilter>();
        var policy = services.GetRequiredService<AccessPolicy>();
        var intake = services.GetRequiredService<AccountingIntake>();
        var members = services.GetRequiredService<MemberCache>();
        var outcomes = services.GetRequiredService<LoginOutcomes>();
        var time = services.GetRequiredService<TimeProvider>();
        var maxBodyBytes = services.GetRequiredService<IOptions<RadiusOptions>>().Value.MaxBodyBytes;

        var radius = app.MapGroup("/radius").WithTags("RADIUS (rlm_rest)").WithMetadata(new RlmRestEndpoint());
        radius.MapPost("/authorize", (HttpRequest http) => Authorize(http, caller, policy, maxBodyBytes))
            .WithSummary("rlm_rest authorize: 200 accept attributes, 401 reject, 404 unknown member");
        radius.MapPost("/authenticate", (HttpRequest http) => Authenticate(http, caller, policy, maxBodyBytes))
            .WithSummary("rlm_rest authenticate (two-call flow): 204 accept, 401 reject");
        radius.MapPost("/accounting", (HttpRequest http) => Accounting(http, caller, intake, maxBodyBytes))
            .WithSummary("rlm_rest accounting: 204 once durably stored, 503 to make FreeRADIUS retry");
        radius.MapPost("/post-auth", (HttpRequest http, string? result) => PostAuth(http, result, caller, members, outcomes, time, maxBodyBytes))
            .WithSummary("rlm_rest post-auth: records the outcome, always 204");
        return radius;
    }

    /// <summary>
    /// True for a request routed to one of rlm_rest's endpoints: those skip the pipeline people's requests go through
    /// (Program.cs). A wrong method or path under /radius matches none, so it still gets a problem-details answer.
    /// </summary>
    public static bool IsRadiusCall(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<RlmRestEndpoint>() is not null;

    sealed class RlmRestEndpoint;

    static readonly ProblemHttpResult UnknownMember = TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Unknown member", detail: "No member has this User-Name.");

    static async ValueTask<Results<RlmReply, ProblemHttpResult>> Authorize(
        HttpRequest http, FreeRadiusOnlyFilter caller, AccessPolicy policy, int maxBodyBytes)
    {
        if (caller.Refuse(http.HttpContext) is { } refused) return refused;
        var started = Stopwatch.GetTimestamp();
        var (request, problem) = await RlmBody.ReadAsync(http, maxBodyBytes);
        if (problem is not null) return AuthorizeSection.Done("bad_request", started, problem);
        var decision = await policy.AuthorizeAsync(request!);
        return decision.Kind switch
        {
            DecisionKind.Accept => AuthorizeSection.Done("accept", started, decision.Reply!),
            DecisionKind.Reject => AuthorizeSection.Done("reject", started, decision.Reply!),
            DecisionKind.UnknownUser => AuthorizeSection.Done("not_found", started, UnknownMember),
            DecisionKind.Unavailable => AuthorizeSection.Done("unavailable", started, Unavailable()),
            _ => AuthorizeSection.Done("bad_request", started, BadRequest(decision.Problem!)),
        };
    }

    static async ValueTask<Results<NoContent, RlmReply, ProblemHttpResult>> Authenticate(
        HttpRequest http, FreeRadiusOnlyFilter caller, AccessPolicy policy, int maxBodyBytes)
    {
        if (caller.Refuse(http.HttpContext) is { } refused) return refused;
        var started = Stopwatch.GetTimestamp();
        var (request, problem) = await RlmBody.ReadAsync(http, maxBodyBytes);
        if (problem is not null) return AuthenticateSection.Done("bad_request", started, problem);
        var decision = await policy.AuthenticateAsync(request!);
        return decision.Kind switch
        {
            DecisionKind.Accept => AuthenticateSection.Done("accept", started, TypedResults.NoContent()),
            DecisionKind.Reject => AuthenticateSection.Done("reject", started, decision.Reply!),
            DecisionKind.Unavailable => AuthenticateSection.Done("unavailable", started, Unavailable()),
            _ => AuthenticateSection.Done("bad_request", started, BadRequest(decision.Problem!)),
        };
    }

    static async ValueTask<Results<NoContent, ProblemHttpResult>> Accounting(
        HttpRequest http, FreeRadiusOnlyFilter caller, AccountingIntake intake, int maxBodyBytes)
    {
        if (caller.Refuse(http.HttpContext) is { } refused) return refused;
        var started = Stopwatch.GetTimestamp();
        var (request, problem) = await RlmBody.ReadAsync(http, maxBodyBytes);
        if (problem is not null) return AccountingSection.Done("bad_request", started, problem);
        var (result, detail) = await intake.RecordAsync(request!);
        return result switch
        {
            IntakeResult.Stored => AccountingSection.Done("stored", started, TypedResults.NoContent()),
            IntakeResult.Duplicate => AccountingSection.Done("duplicate", started, TypedResults.NoContent()),
            IntakeResult.Ignored => AccountingSection.Done("ignored", started, TypedResults.NoContent()),
            IntakeResult.Unavailable => AccountingSection.Done("unavailable", started, Unavailable(detail)),
            _ => AccountingSection.Done("bad_request", started, BadRequest(detail!)),
        };
    }

    static async ValueTask<Results<NoContent, ProblemHttpResult>> PostAuth(
        HttpRequest http, string? result, FreeRadiusOnlyFilter caller, MemberCache members, LoginOutcomes outcomes,
        TimeProvider time, int maxBodyBytes)
    {
        if (caller.Refuse(http.HttpContext) is { } refused) return refused;
        var started = Stopwatch.GetTimestamp();
        var (request, problem) = await RlmBody.ReadAsync(http, maxBodyBytes);
        if (problem is not null) return PostAuthSection.Done("bad_request", started, problem);
        // Accepts and the backend's own rejects are recorded when decided; this adds rejects FreeRADIUS decided itself.
        if (string.Equals(result, "Access-Reject", StringComparison.OrdinalIgnoreCase)
            && request!.UserName is { } name && UserNames.Normalize(name, out var email) == UserNames.Verdict.Ok)
        {
            var lookup = await members.FindByEmailAsync(email);
            if (lookup.Member is { } member)
                outcomes.Record(new LoginOutcome(member.Id, false, "rejected_by_freeradius", null,
                    request.NasIdentifier ?? request.NasIpAddress, time.GetUtcNow()) { Weak = true });
        }
        return PostAuthSection.Done("recorded", started, TypedResults.NoContent());
    }

    static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid RADIUS request", detail: detail);

    static ProblemHttpResult Unavailable(string? detail = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Backend temporarily unavailable",
            detail: detail ?? "The member directory cannot be reached; retry later.");

    static readonly SectionMetrics AuthorizeSection = new("authorize");
    static readonly SectionMetrics AuthenticateSection = new("authenticate");
    static readonly SectionMetrics AccountingSection = new("accounting");
    static readonly SectionMetrics PostAuthSection = new("post-auth");

    /// <summary>A section's request counter and latency histogram, their label children looked up once.</summary>
    sealed class SectionMetrics(string section)
    {
        readonly Histogram.Child _duration = BackendMetrics.RadiusDuration.WithLabels(section);
        readonly ConcurrentDictionary<string, Counter.Child> _results = new(StringComparer.Ordinal);

        public T Done<T>(string result, long started, T value)
        {
            _results.GetOrAdd(result, static (result, section) => BackendMetrics.RadiusRequests.WithLabels(section, result), section).Inc();
            _duration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            return value;
        }
    }
}
