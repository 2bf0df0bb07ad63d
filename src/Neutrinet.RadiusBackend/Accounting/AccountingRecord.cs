namespace Neutrinet.RadiusBackend.Accounting;

public enum AccountingStatus { Start, InterimUpdate, Stop, AccountingOn, AccountingOff, Other }

/// <summary>One Accounting-Request as the store needs it; octets already combined with gigawords.</summary>
public sealed record AccountingRecord(
    AccountingStatus Status,
    string UniqueSessionId,
    string? AcctSessionId,
    string UserName,
    string? MemberId,
    string NasKey,
    string? NasIpAddress,
    string? NasIdentifier,
    string? CallingStationId,
    string? FramedIpAddress,
    long SessionTimeSeconds,
    ulong InputOctets,
    ulong OutputOctets,
    string? TerminateCause,
    DateTimeOffset EventTime)
{
    /// <summary>Sessions are filed under the member when known, else under the login name, so nothing is dropped.</summary>
    public string OwnerKey => OwnerKeyFor(MemberId, UserName);

    public static string OwnerKeyFor(string? memberId, string userName) => memberId ?? "user:" + userName;
}

public enum AccountingOutcome { Stored, Duplicate }

/// <summary>A session as members and admins see it.</summary>
public sealed record SessionView(
    string Id,
    string? MemberId,
    string UserName,
    string? AcctSessionId,
    string? NasIdentifier,
    string? NasIpAddress,
    string? CallingStationId,
    string? FramedIpAddress,
    DateTimeOffset StartedAt,
    DateTimeOffset LastUpdateAt,
    DateTimeOffset? StoppedAt,
    long SessionTimeSeconds,
    ulong InputOctets,
    ulong OutputOctets,
    string? TerminateCause,
    bool Open);
