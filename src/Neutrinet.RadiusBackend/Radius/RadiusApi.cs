using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Observability;

namespace Neutrinet.RadiusBackend.Radius;

/// <summary>The endpoints FreeRADIUS's rlm_rest calls. Status codes follow rlm_rest.md's tables.</summary>
internal static class RadiusApi
{
    public static RouteGroupBuilder MapRadius(this IEndpointRouteBuilder app)
    {
        var radius = app.MapGroup("/radius").WithTags("RADIUS (rlm_rest)");
        radius.MapPost("/authorize", Authorize)
            .WithSummary("rlm_rest authorize: 200 accept attributes, 401 reject, 404 unknown member");
        radius.MapPost("/authenticate", Authenticate)
            .WithSummary("rlm_rest authenticate (two-call flow): 204 accept, 401 reject");
        radius.MapPost("/accounting", Accounting)
            .WithSummary("rlm_rest accounting: 204 once durably stored, 503 to make FreeRADIUS retry");
        radius.MapPost("/post-auth", PostAuth)
            .WithSummary("rlm_rest post-auth: records the outcome, always 204");
        return radius;
    }

    static async Task<Results<RlmReply, NotFound, ProblemHttpResult>> Authorize(
        HttpRequest http, FreeRadiusOnlyFilter caller, AccessPolicy policy, IOptions<RadiusOptions> options)
    {
        if (caller.Refuse(http.HttpContext) is { } refused) return refused;
        var started = Stopwatch.GetTimestamp();
        var (request, problem) = await RlmBody.ReadAsync(http, options.Value.MaxBodyBytes);
        if (problem is not null) return Done("authorize", "bad_request", started, problem);
        var decision = await policy.AuthorizeAsync(request!);
        return decision.Kind switch
        {
            DecisionKind.Accept => Done("authorize", "accept", started, decision.Reply!),
            DecisionKind.Reject => Done("authorize", "reject", started, decision.Reply!),
            DecisionKind.UnknownUser => Done("authorize", "not_found", started, TypedResults.NotFound()),
            DecisionKind.Unavailable => Done("authorize", "unavailable", started, Unavailable()),
            _ => Done("authorize", "bad_request", started, BadRequest(decision.Problem!)),
        };
    }

    static async Task<Results<NoContent, RlmReply, ProblemHttpResult>> Authenticate(
        HttpRequest http, FreeRadiusOnlyFilter caller, AccessPolicy policy, IOptions<RadiusOptions> options)
    {
        if (caller.Refuse(http.HttpContext) is { } refused) return refused;
        var started = Stopwatch.GetTimestamp();
        var (request, problem) = await RlmBody.ReadAsync(http, options.Value.MaxBodyBytes);
        if (problem is not null) return Done("authenticate", "bad_request", started, problem);
        var decision = await policy.AuthenticateAsync(request!);
        return decision.Kind switch
        {
            DecisionKind.Accept => Done("authenticate", "accept", started, TypedResults.NoContent()),
            DecisionKind.Reject => Done("authenticate", "reject", started, decision.Reply!),
            DecisionKind.Unavailable => Done("authenticate", "unavailable", started, Unavailable()),
            _ => Done("authenticate", "bad_request", started, BadRequest(decision.Problem!)),
        };
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Accounting(
        HttpRequest http, FreeRadiusOnlyFilter caller, AccountingIntake intake, IOptions<RadiusOptions> options)
    {
        if (caller.Refuse(http.HttpContext) is { } refused) return refused;
        var started = Stopwatch.GetTimestamp();
        var (request, problem) = await RlmBody.ReadAsync(http, options.Value.MaxBodyBytes);
        if (problem is not null) return Done("accounting", "bad_request", started, problem);
        var (result, detail) = await intake.RecordAsync(request!);
        return result switch
        {
            IntakeResult.Stored => Done("accounting", "stored", started, TypedResults.NoContent()),
            IntakeResult.Duplicate => Done("accounting", "duplicate", started, TypedResults.NoContent()),
            IntakeResult.Ignored => Done("accounting", "ignored", started, TypedResults.NoContent()),
            IntakeResult.Unavailable => Done("accounting", "unavailable", started, Unavailable(detail)),
            _ => Done("accounting", "bad_request", started, BadRequest(detail!)),
        };
    }

    static async Task<Results<NoContent, ProblemHttpResult>> PostAuth(
        HttpRequest http, string? result, FreeRadiusOnlyFilter caller, MemberCache members, LoginOutcomes outcomes,
        TimeProvider time, IOptions<RadiusOptions> options)
    {
        if (caller.Refuse(http.HttpContext) is { } refused) return refused;
        var started = Stopwatch.GetTimestamp();
        var (request, problem) = await RlmBody.ReadAsync(http, options.Value.MaxBodyBytes);
        if (problem is not null) return Done("post-auth", "bad_request", started, problem);
        // Accepts and the backend's own rejects are recorded when decided; this adds rejects FreeRADIUS decided itself.
        if (string.Equals(result, "Access-Reject", StringComparison.OrdinalIgnoreCase)
            && request!.UserName is { } name && UserNames.Normalize(name, out var email) == UserNames.Verdict.Ok)
        {
            var lookup = await members.FindByEmailAsync(email);
            if (lookup.Member is { } member)
                outcomes.Record(new LoginOutcome(member.Id, false, "rejected_by_freeradius", null,
                    request.NasIdentifier ?? request.NasIpAddress, time.GetUtcNow()) { Weak = true });
        }
        return Done("post-auth", "recorded", started, TypedResults.NoContent());
    }

    static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid RADIUS request", detail: detail);

    static ProblemHttpResult Unavailable(string? detail = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Backend temporarily unavailable",
            detail: detail ?? "The member directory cannot be reached; retry later.");

    static T Done<T>(string section, string result, long started, T value)
    {
        BackendMetrics.RadiusRequests.WithLabels(section, result).Inc();
        BackendMetrics.RadiusDuration.WithLabels(section).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return value;
    }
}
