using System.Security.Cryptography;
using System.Text;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Observability;

namespace Neutrinet.RadiusBackend.Radius;

public enum IntakeResult { Stored, Duplicate, Ignored, Invalid, Unavailable }

/// <summary>Turns an rlm_rest accounting body into a session record and stores it.</summary>
public sealed class AccountingIntake(SessionStore sessions, MemberCache members, TimeProvider time, ILogger<AccountingIntake> logger)
{
    public async Task<(IntakeResult Result, string? Problem)> RecordAsync(RlmRequest request)
    {
        var status = request.AcctStatusType switch
        {
            "Start" or "1" => AccountingStatus.Start,
            "Interim-Update" or "Alive" or "3" => AccountingStatus.InterimUpdate,
            "Stop" or "2" => AccountingStatus.Stop,
            "Accounting-On" or "7" => AccountingStatus.AccountingOn,
            "Accounting-Off" or "8" => AccountingStatus.AccountingOff,
            null => (AccountingStatus?)null,
            _ => AccountingStatus.Other,
        };
        if (status is null) return (IntakeResult.Invalid, "Acct-Status-Type is required");
        var label = request.AcctStatusType!.Length <= 20 ? status.Value.ToString() : "Other";
        try
        {
            switch (status)
            {
                case AccountingStatus.AccountingOn or AccountingStatus.AccountingOff:
                    var closed = await sessions.CloseNasSessionsAsync(request.NasKey, "NAS-Reboot");
                    logger.LogInformation("{Status} from NAS {Nas}: closed {Count} sessions", status, request.NasKey, closed);
                    BackendMetrics.AccountingRecords.WithLabels(label, "stored").Inc();
                    return (IntakeResult.Stored, null);
                case AccountingStatus.Other:
                    // Acknowledged, not stored: refusing it would block a detail-file queue forever.
                    BackendMetrics.AccountingRecords.WithLabels("Other", "ignored").Inc();
                    return (IntakeResult.Ignored, null);
            }

            if (request.UserName is null) return (IntakeResult.Invalid, "User-Name is required");
            var userName = UserNames.Normalize(request.UserName, out var email) == UserNames.Verdict.Ok ? email : request.UserName.Trim();
            if (userName.Length is 0 or > UserNames.MaxLength) return (IntakeResult.Invalid, "User-Name is empty or too long");
            var uniqueId = request.AcctUniqueSessionId ?? DeriveUniqueId(request, userName);
            if (uniqueId.Length > 128 || uniqueId.Any(c => char.IsControl(c) || c == ' '))
                return (IntakeResult.Invalid, "Acct-Unique-Session-Id is malformed");

            var lookup = await members.FindByEmailAsync(userName);
            var record = new AccountingRecord(
                status.Value, uniqueId, request.AcctSessionId, userName, lookup.Member?.Id, request.NasKey,
                request.NasIpAddress, request.NasIdentifier, request.CallingStationId, request.FramedIpAddress,
                request.AcctSessionTime ?? 0,
                Combine(request.AcctInputGigawords, request.AcctInputOctets),
                Combine(request.AcctOutputGigawords, request.AcctOutputOctets),
                request.AcctTerminateCause,
                time.GetUtcNow().AddSeconds(-Math.Min(request.AcctDelayTime ?? 0, 86400)));
            var outcome = await sessions.RecordAsync(record);
            if (outcome == AccountingOutcome.Stored && status == AccountingStatus.Stop)
            {
                BackendMetrics.AccountingOctets.WithLabels("input").Inc(record.InputOctets);
                BackendMetrics.AccountingOctets.WithLabels("output").Inc(record.OutputOctets);
            }
            BackendMetrics.AccountingRecords.WithLabels(label, outcome == AccountingOutcome.Stored ? "stored" : "duplicate").Inc();
            return (outcome == AccountingOutcome.Stored ? IntakeResult.Stored : IntakeResult.Duplicate, null);
        }
        catch (AccountingUnavailableException ex)
        {
            BackendMetrics.AccountingRecords.WithLabels(label, "failed").Inc();
            logger.LogWarning("Accounting record not stored, FreeRADIUS will retry: {Error}", ex.InnerException?.Message);
            return (IntakeResult.Unavailable, "Accounting storage is unavailable; retry later");
        }
    }

    /// <summary>The 64-bit count: Acct-*-Gigawords * 2^32 + Acct-*-Octets.</summary>
    static ulong Combine(long? gigawords, long? octets) =>
        ((ulong)(gigawords ?? 0) << 32) + (ulong)Math.Min(octets ?? 0, uint.MaxValue);

    /// <summary>Used when preacct did not add Acct-Unique-Session-Id: stable across Start, Interim and Stop.</summary>
    static string DeriveUniqueId(RlmRequest r, string userName)
    {
        var key = $"{userName}\n{r.AcctSessionId}\n{r.NasKey}\n{r.NasPort}";
        return "d" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
    }
}
