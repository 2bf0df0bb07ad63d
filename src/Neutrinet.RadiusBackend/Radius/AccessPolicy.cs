using System.Text;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Observability;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.Radius;

public enum RejectReason { UnknownUser, BadToken, Suspended, SimultaneousUse, BackendError }

public enum DecisionKind { Accept, Reject, UnknownUser, Unavailable, Invalid }

public readonly record struct AccessDecision(DecisionKind Kind, RlmReply? Reply = null, RejectReason? Reason = null, string? Problem = null)
{
    public static AccessDecision Invalid(string problem) => new(DecisionKind.Invalid, Problem: problem);
}

/// <summary>
/// The accept/reject policy. The token is checked before anything that would tell whether an account exists or is
/// suspended, every token of the member is compared (constant time, no early exit), and a reject body never varies
/// with the reason except for "too many sessions", which only a holder of a valid token can see.
/// </summary>
public sealed class AccessPolicy(
    MemberCache members,
    SimultaneousUse simultaneousUse,
    LoginOutcomes outcomes,
    IOptions<RadiusOptions> options,
    TimeProvider time,
    ILogger<AccessPolicy> logger)
{
    readonly RadiusOptions _options = options.Value;
    readonly AcceptTemplate _accept = new(options.Value);
    public AuthFlow Flow => _options.Flow;

    public async ValueTask<AccessDecision> AuthorizeAsync(RlmRequest request)
    {
        var (lookup, early) = await FindAsync(request);
        if (early is { } decided) return decided;
        var member = lookup.Member!;
        if (_options.Flow == AuthFlow.TwoCall)
            return new AccessDecision(DecisionKind.Accept, new RlmReply(_accept, member));
        return await CheckAsync(member, request, new RlmReply(_accept, member));
    }

    public async ValueTask<AccessDecision> AuthenticateAsync(RlmRequest request)
    {
        var (lookup, early) = await FindAsync(request);
        if (early is { } decided)
            return decided.Kind == DecisionKind.UnknownUser ? Reject(RejectReason.UnknownUser, null) : decided;
        return await CheckAsync(lookup.Member!, request, accept: null);
    }

    async ValueTask<(MemberLookup Lookup, AccessDecision? Early)> FindAsync(RlmRequest request)
    {
        if (request.UserName is null) return (default, AccessDecision.Invalid("User-Name is required"));
        switch (UserNames.Normalize(request.UserName, out var email))
        {
            case UserNames.Verdict.Invalid:
                return (default, AccessDecision.Invalid("User-Name is empty, too long, or contains control or invisible characters"));
            case UserNames.Verdict.NotAnEmail:
                BackendMetrics.RadiusRejects.WithLabels(ReasonLabel(RejectReason.UnknownUser)).Inc();
                return (default, new AccessDecision(DecisionKind.UnknownUser, Reason: RejectReason.UnknownUser));
        }
        var lookup = await members.FindByEmailAsync(email);
        switch (lookup.Status)
        {
            case LookupStatus.NotFound:
                BackendMetrics.RadiusRejects.WithLabels(ReasonLabel(RejectReason.UnknownUser)).Inc();
                return (lookup, new AccessDecision(DecisionKind.UnknownUser, Reason: RejectReason.UnknownUser));
            case LookupStatus.Unavailable:
                BackendMetrics.RadiusRejects.WithLabels(ReasonLabel(RejectReason.BackendError)).Inc();
                logger.LogWarning("Directory unavailable and no recent cached entry: login refused");
                return (lookup, new AccessDecision(DecisionKind.Unavailable, Reason: RejectReason.BackendError));
        }
        return (lookup, null);
    }

    async ValueTask<AccessDecision> CheckAsync(CachedMember member, RlmRequest request, RlmReply? accept)
    {
        if (request.UserPassword is not { } password) return Reject(RejectReason.BadToken, member);

        var matched = MatchToken(member, password);
        if (matched < 0) return Reject(RejectReason.BadToken, member);
        if (member.Suspended || member.IsTokenSuspended(matched)) return Reject(RejectReason.Suspended, member);

        var limit = member.SimultaneousUse ?? _options.DefaultSimultaneousUse;
        if (!await simultaneousUse.AllowsAnotherAsync(member, limit, request.AcctSessionId, request.NasKey, request.CallingStationId))
            return Reject(RejectReason.SimultaneousUse, member);

        var now = time.GetUtcNow();
        if (member.ShouldRecordUse(matched, now.ToUnixTimeMilliseconds()))
            outcomes.Record(new LoginOutcome(member.Id, true, null, member.TokenId(matched), request.NasIdentifier ?? request.NasIpAddress, now));
        if (logger.IsEnabled(LogLevel.Debug)) logger.LogDebug("Accepted member {MemberId} with token {TokenId}", member.Id, member.TokenId(matched));
        return new AccessDecision(DecisionKind.Accept, accept);
    }

    /// <summary>The matching token's index or -1; a password too long to be a token is no match.</summary>
    static int MatchToken(CachedMember member, string password)
    {
        var byteCount = Encoding.UTF8.GetByteCount(password);
        if (byteCount > 512) return -1;
        Span<byte> presented = stackalloc byte[byteCount];
        Encoding.UTF8.GetBytes(password, presented);
        return member.MatchToken(presented);
    }

    AccessDecision Reject(RejectReason reason, CachedMember? member)
    {
        BackendMetrics.RadiusRejects.WithLabels(ReasonLabel(reason)).Inc();
        if (member is not null)
        {
            outcomes.Record(new LoginOutcome(member.Id, false, ReasonLabel(reason), null, null, time.GetUtcNow()));
            logger.LogInformation("Rejected member {MemberId}: {Reason}", member.Id, ReasonLabel(reason));
        }
        var reply = reason == RejectReason.SimultaneousUse ? RlmReply.TooManySessions : RlmReply.Reject;
        return new AccessDecision(DecisionKind.Reject, reply, reason);
    }

    public static string ReasonLabel(RejectReason reason) => reason switch
    {
        RejectReason.UnknownUser => "unknown_user",
        RejectReason.BadToken => "bad_token",
        RejectReason.Suspended => "suspended",
        RejectReason.SimultaneousUse => "simultaneous_use",
        _ => "backend_error",
    };
}
