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
public sealed partial class RlmRequest
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
    public long? NasPort => Number(Target.NasPort, _nasPort);
    public long? AcctSessionTime => Number(Target.AcctSessionTime, _acctSessionTime);
    public long? AcctDelayTime => Number(Target.AcctDelayTime, _acctDelayTime);
    public long? AcctInputOctets => Number(Target.AcctInputOctets, _acctInputOctets);
    public long? AcctOutputOctets => Number(Target.AcctOutputOctets, _acctOutputOctets);
    public long? AcctInputGigawords => Number(Target.AcctInputGigawords, _acctInputGigawords);
    public long? AcctOutputGigawords => Number(Target.AcctOutputGigawords, _acctOutputGigawords);
    public string? ModuleFailureMessage { get; private set; }

    /// <summary>The NAS as accounting keys it: its IP address, else its identifier.</summary>
    public string NasKey => NasIpAddress ?? NasIdentifier ?? "unknown";

    static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 8, CommentHandling = JsonCommentHandling.Disallow };

    enum Kind { Text, Number }

    /// <summary>
    /// Parses a whole body. Unknown attributes are checked for shape and skipped. A body in rlm_rest's own plain shape
    /// (one segment, ASCII without escapes, integer numbers) takes the scanner of RlmRequest.Scan.cs; anything else,
    /// including every malformed body, the general JSON reader, which gives the same result and names the error.
    /// </summary>
    public static bool TryParse(ReadOnlySequence<byte> body, out RlmRequest request, out string? error)
    {
        if (body.IsSingleSegment && TryScanPlain(body.FirstSpan, out var scanned))
        {
            request = scanned;
            error = null;
            return true;
        }
        return TryParseWithReader(body, out request, out error);
    }

    internal static bool TryParseWithReader(ReadOnlySequence<byte> body, out RlmRequest request, out string? error)
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

    /// <summary>The attributes the backend reads, indexed by <see cref="Target"/> (None first).</summary>
    static readonly byte[][] Names =
    [
        "attribute"u8.ToArray(), "User-Name"u8.ToArray(), "User-Password"u8.ToArray(), "NAS-IP-Address"u8.ToArray(),
        "NAS-Identifier"u8.ToArray(), "Calling-Station-Id"u8.ToArray(), "Acct-Session-Id"u8.ToArray(),
        "Acct-Unique-Session-Id"u8.ToArray(), "Acct-Status-Type"u8.ToArray(), "Acct-Terminate-Cause"u8.ToArray(),
        "Framed-IP-Address"u8.ToArray(), "NAS-Port"u8.ToArray(), "Acct-Session-Time"u8.ToArray(),
        "Acct-Delay-Time"u8.ToArray(), "Acct-Input-Octets"u8.ToArray(), "Acct-Output-Octets"u8.ToArray(),
        "Acct-Input-Gigawords"u8.ToArray(), "Acct-Output-Gigawords"u8.ToArray(), "Module-Failure-Message"u8.ToArray(),
    ];

    static Target Identify(ref Utf8JsonReader r)
    {
        for (var t = 1; t < Names.Length; t++)
            if (r.ValueTextEquals(Names[t])) return (Target)t;
        return Target.None;
    }

    /// <summary>The same lookup for a name without escapes, as the scanner sees it: only names of its length compared.</summary>
    static Target Identify(ReadOnlySpan<byte> name)
    {
        if (name.Length >= NamesByLength.Length) return Target.None;
        foreach (var t in NamesByLength[name.Length])
            if (name.SequenceEqual(Names[(int)t])) return t;
        return Target.None;
    }

    static readonly Target[][] NamesByLength = Enumerable.Range(0, Names.Max(n => n.Length) + 1)
        .Select(length => Enumerable.Range(1, Names.Length - 1).Where(t => Names[t].Length == length).Select(t => (Target)t).ToArray())
        .ToArray();

    static string NameOf(Target t) => Encoding.ASCII.GetString(Names[(int)t]);

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
            q.Set(target, number);
            return true;
        }

        if (r.TokenType != JsonTokenType.String)
            return Fail($"{NameOf(target)} must be a string", out error);
        q.Set(target, RepairLatin1(r.GetString()!));
        return true;
    }

    // One object per request: numbers are held as plain longs and a bit each says which were sent, half the size of
    // seven Nullable<long> fields with their padding.
    int _numbersSent;
    long _nasPort, _acctSessionTime, _acctDelayTime, _acctInputOctets, _acctOutputOctets, _acctInputGigawords, _acctOutputGigawords;

    long? Number(Target target, long value) => (_numbersSent & (1 << (int)target)) != 0 ? value : null;

    void Set(Target target, long number)
    {
        switch (target)
        {
            case Target.NasPort: _nasPort = number; break;
            case Target.AcctSessionTime: _acctSessionTime = number; break;
            case Target.AcctDelayTime: _acctDelayTime = number; break;
            case Target.AcctInputOctets: _acctInputOctets = number; break;
            case Target.AcctOutputOctets: _acctOutputOctets = number; break;
            case Target.AcctInputGigawords: _acctInputGigawords = number; break;
            case Target.AcctOutputGigawords: _acctOutputGigawords = number; break;
            default: return;
        }
        _numbersSent |= 1 << (int)target;
    }

    void Set(Target target, string text)
    {
        switch (target)
        {
            case Target.UserName: UserName = text; break;
            case Target.UserPassword: UserPassword = text; break;
            case Target.NasIpAddress: NasIpAddress = text; break;
            case Target.NasIdentifier: NasIdentifier = text; break;
            case Target.CallingStationId: CallingStationId = text; break;
            case Target.AcctSessionId: AcctSessionId = text; break;
            case Target.AcctUniqueSessionId: AcctUniqueSessionId = text; break;
            case Target.AcctStatusType: AcctStatusType = text; break;
            case Target.AcctTerminateCause: AcctTerminateCause = text; break;
            case Target.FramedIpAddress: FramedIpAddress = text; break;
            case Target.ModuleFailureMessage: ModuleFailureMessage = text; break;
        }
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
