using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Neutrinet.RadiusBackend.Radius;

/// <summary>
/// The attributes of an rlm_rest JSON body that the backend uses. rlm_rest sends
/// <c>{"Attr-Name": {"type": "...", "value": [ ... ]}}</c> with values always in an array; enumerated integers arrive as
/// names (<c>"Stop"</c>), 64-bit counters as numbers, and strings with every byte >= 0x80 escaped on its own.
/// </summary>
public sealed class RlmRequest
{
    public string? UserName { get; private set; }
    public string? UserPassword { get; private set; }
    public string? NasIpAddress { get; private set; }
    public string? NasIdentifier { get; private set; }
    public string? CallingStationId { get; private set; }
    public string? AcctSessionId { get; private set; }
    public string? AcctUniqueSessionId { get; private set; }
    public string? AcctStatusType { get; private set; }
    public string? AcctTerminateCause { get; private set; }
    public string? FramedIpAddress { get; private set; }
    public long? NasPort { get; private set; }
    public long? AcctSessionTime { get; private set; }
    public long? AcctDelayTime { get; private set; }
    public long? AcctInputOctets { get; private set; }
    public long? AcctOutputOctets { get; private set; }
    public long? AcctInputGigawords { get; private set; }
    public long? AcctOutputGigawords { get; private set; }
    public string? ModuleFailureMessage { get; private set; }

    /// <summary>The NAS as accounting keys it: its IP address, else its identifier.</summary>
    public string NasKey => NasIpAddress ?? NasIdentifier ?? "unknown";

    static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 8, CommentHandling = JsonCommentHandling.Disallow };

    enum Kind { Text, Number }

    /// <summary>Parses a whole body. Unknown attributes are checked for shape and skipped.</summary>
    public static bool TryParse(ReadOnlySequence<byte> body, out RlmRequest request, out string? error)
    {
        request = new RlmRequest();
        error = null;
        var reader = new Utf8JsonReader(body, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return Fail("The body must be a JSON object of RADIUS attributes", out error);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var target = Identify(ref reader);
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    return Fail($"Each attribute ({NameOf(target)}) must be an object with a \"value\" array", out error);
                if (!ReadAttribute(ref reader, request, target, out error)) return false;
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                return Fail("The body must be a single JSON object", out error);
            return true;
        }
        catch (JsonException)
        {
            return Fail("The body is not valid JSON", out error);
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString on invalid UTF-8 or a lone surrogate escape.
            return Fail("A string value is not valid UTF-8 or contains a lone surrogate", out error);
        }
    }

    static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }

    enum Target
    {
        None, UserName, UserPassword, NasIpAddress, NasIdentifier, CallingStationId, AcctSessionId, AcctUniqueSessionId,
        AcctStatusType, AcctTerminateCause, FramedIpAddress, NasPort, AcctSessionTime, AcctDelayTime, AcctInputOctets,
        AcctOutputOctets, AcctInputGigawords, AcctOutputGigawords, ModuleFailureMessage,
    }

    static Target Identify(ref Utf8JsonReader r) =>
        r.ValueTextEquals("User-Name"u8) ? Target.UserName :
        r.ValueTextEquals("User-Password"u8) ? Target.UserPassword :
        r.ValueTextEquals("NAS-IP-Address"u8) ? Target.NasIpAddress :
        r.ValueTextEquals("NAS-Identifier"u8) ? Target.NasIdentifier :
        r.ValueTextEquals("Calling-Station-Id"u8) ? Target.CallingStationId :
        r.ValueTextEquals("Acct-Session-Id"u8) ? Target.AcctSessionId :
        r.ValueTextEquals("Acct-Unique-Session-Id"u8) ? Target.AcctUniqueSessionId :
        r.ValueTextEquals("Acct-Status-Type"u8) ? Target.AcctStatusType :
        r.ValueTextEquals("Acct-Terminate-Cause"u8) ? Target.AcctTerminateCause :
        r.ValueTextEquals("Framed-IP-Address"u8) ? Target.FramedIpAddress :
        r.ValueTextEquals("NAS-Port"u8) ? Target.NasPort :
        r.ValueTextEquals("Acct-Session-Time"u8) ? Target.AcctSessionTime :
        r.ValueTextEquals("Acct-Delay-Time"u8) ? Target.AcctDelayTime :
        r.ValueTextEquals("Acct-Input-Octets"u8) ? Target.AcctInputOctets :
        r.ValueTextEquals("Acct-Output-Octets"u8) ? Target.AcctOutputOctets :
        r.ValueTextEquals("Acct-Input-Gigawords"u8) ? Target.AcctInputGigawords :
        r.ValueTextEquals("Acct-Output-Gigawords"u8) ? Target.AcctOutputGigawords :
        r.ValueTextEquals("Module-Failure-Message"u8) ? Target.ModuleFailureMessage :
        Target.None;

    static string NameOf(Target t) => t switch
    {
        Target.UserName => "User-Name", Target.UserPassword => "User-Password", Target.NasIpAddress => "NAS-IP-Address",
        Target.NasIdentifier => "NAS-Identifier", Target.CallingStationId => "Calling-Station-Id",
        Target.AcctSessionId => "Acct-Session-Id", Target.AcctUniqueSessionId => "Acct-Unique-Session-Id",
        Target.AcctStatusType => "Acct-Status-Type", Target.AcctTerminateCause => "Acct-Terminate-Cause",
        Target.FramedIpAddress => "Framed-IP-Address", Target.NasPort => "NAS-Port", Target.AcctSessionTime => "Acct-Session-Time",
        Target.AcctDelayTime => "Acct-Delay-Time", Target.AcctInputOctets => "Acct-Input-Octets",
        Target.AcctOutputOctets => "Acct-Output-Octets", Target.AcctInputGigawords => "Acct-Input-Gigawords",
        Target.AcctOutputGigawords => "Acct-Output-Gigawords", Target.ModuleFailureMessage => "Module-Failure-Message",
        _ => "attribute",
    };

    static Kind KindOf(Target t) => t is Target.NasPort or Target.AcctSessionTime or Target.AcctDelayTime
        or Target.AcctInputOctets or Target.AcctOutputOctets or Target.AcctInputGigawords or Target.AcctOutputGigawords
        ? Kind.Number : Kind.Text;

    static bool ReadAttribute(ref Utf8JsonReader r, RlmRequest request, Target target, out string? error)
    {
        error = null;
        var sawValue = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("value"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray)
                    return Fail($"{NameOf(target)}: \"value\" must be an array", out error);
                sawValue = true;
                var first = true;
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        return Fail($"{NameOf(target)}: values must be strings or numbers", out error);
                    if (target != Target.None && first && !Assign(ref r, request, target, out error)) return false;
                    first = false;
                }
            }
            else if (r.ValueTextEquals("type"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String)
                    return Fail($"{NameOf(target)}: \"type\" must be a string", out error);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }
        if (target != Target.None && !sawValue)
            return Fail($"{NameOf(target)}: the \"value\" array is missing", out error);
        return true;
    }

    static bool Assign(ref Utf8JsonReader r, RlmRequest q, Target target, out string? error)
    {
        error = null;
        if (KindOf(target) == Kind.Number)
        {
            long number;
            if (r.TokenType == JsonTokenType.Number)
            {
                if (!r.TryGetInt64(out number) || number < 0)
                    return Fail($"{NameOf(target)} must be a non-negative integer", out error);
            }
            else if (r.TokenType != JsonTokenType.String
                || !long.TryParse(r.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number))
            {
                return Fail($"{NameOf(target)} must be a non-negative integer", out error);
            }
            switch (target)
            {
                case Target.NasPort: q.NasPort = number; break;
                case Target.AcctSessionTime: q.AcctSessionTime = number; break;
                case Target.AcctDelayTime: q.AcctDelayTime = number; break;
                case Target.AcctInputOctets: q.AcctInputOctets = number; break;
                case Target.AcctOutputOctets: q.AcctOutputOctets = number; break;
                case Target.AcctInputGigawords: q.AcctInputGigawords = number; break;
                case Target.AcctOutputGigawords: q.AcctOutputGigawords = number; break;
            }
            return true;
        }

        if (r.TokenType != JsonTokenType.String)
            return Fail($"{NameOf(target)} must be a string", out error);
        var text = RepairLatin1(r.GetString()!);
        switch (target)
        {
            case Target.UserName: q.UserName = text; break;
            case Target.UserPassword: q.UserPassword = text; break;
            case Target.NasIpAddress: q.NasIpAddress = text; break;
            case Target.NasIdentifier: q.NasIdentifier = text; break;
            case Target.CallingStationId: q.CallingStationId = text; break;
            case Target.AcctSessionId: q.AcctSessionId = text; break;
            case Target.AcctUniqueSessionId: q.AcctUniqueSessionId = text; break;
            case Target.AcctStatusType: q.AcctStatusType = text; break;
            case Target.AcctTerminateCause: q.AcctTerminateCause = text; break;
            case Target.FramedIpAddress: q.FramedIpAddress = text; break;
            case Target.ModuleFailureMessage: q.ModuleFailureMessage = text; break;
        }
        return true;
    }

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// rlm_rest escapes each byte >= 0x80 of a UTF-8 string as its own <c>\u00XX</c>, so "å" arrives as "Ã¥". When every
    /// char fits in a byte and those bytes are valid UTF-8, decode them as UTF-8; otherwise keep the text as it is.
    /// </summary>
    public static string RepairLatin1(string text)
    {
        var needsRepair = false;
        foreach (var c in text)
        {
            if (c > 0xFF) return text;
            if (c >= 0x80) needsRepair = true;
        }
        if (!needsRepair) return text;
        Span<byte> bytes = text.Length <= 512 ? stackalloc byte[text.Length] : new byte[text.Length];
        for (var i = 0; i < text.Length; i++) bytes[i] = (byte)text[i];
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return text; }
    }
}
