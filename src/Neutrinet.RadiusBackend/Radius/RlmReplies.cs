using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Directory;

namespace Neutrinet.RadiusBackend.Radius;

/// <summary>
/// An rlm_rest JSON answer written from pre-serialised bytes: the warm path serialises nothing.
/// Keys are <c>[list:]Attribute</c>; strings carry <c>do_xlat: false</c> so FreeRADIUS never expands <c>%{...}</c> in them.
/// </summary>
public sealed class RlmReply : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    readonly ReadOnlyMemory<byte> _body;
    readonly AcceptTemplate? _template;
    readonly CachedMember? _member;

    public RlmReply(int statusCode, ReadOnlyMemory<byte> body)
    {
        StatusCode = statusCode;
        _body = body;
    }

    /// <summary>A member's Access-Accept, written from the template and the member's cached addresses.</summary>
    public RlmReply(AcceptTemplate template, CachedMember member)
    {
        StatusCode = StatusCodes.Status200OK;
        _template = template;
        _member = member;
    }

    public int StatusCode { get; }
    int? IStatusCodeHttpResult.StatusCode => StatusCode;
    public ReadOnlyMemory<byte> Body => _member is null ? _body : _template!.Render(_member);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json";
        // One write of the whole body: Kestrel's first write sends the headers and the body together, which is
        // cheaper than writing into the pipe and flushing it (perf: ~1 µs per login).
        if (_member is null) return WriteAsync(response, _body);
        // A member's accept is rendered into a pooled buffer: Kestrel copies it into its own before the write
        // completes, and a new array per login was a tenth of the bytes the warm path allocated.
        var buffer = ArrayPool<byte>.Shared.Rent(AcceptTemplate.MaxCompactLength);
        var length = _template!.TryWrite(_member, buffer);
        if (length < 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return WriteAsync(response, _template.Render(_member));
        }
        var write = WriteAsync(response, buffer.AsMemory(0, length));
        if (!write.IsCompleted) return ReturnWhenWritten(write, buffer);
        ArrayPool<byte>.Shared.Return(buffer);
        return write;
    }

    static async Task ReturnWhenWritten(Task write, byte[] buffer)
    {
        try { await write; }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    static Task WriteAsync(HttpResponse response, ReadOnlyMemory<byte> body)
    {
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Dictionary<string, object>), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(Dictionary<string, object>), ["application/json"]));
    }

    /// <summary>The reject body: a fixed message that never echoes user input, so it cannot enumerate or inject.</summary>
    public static readonly RlmReply Reject = new(StatusCodes.Status401Unauthorized,
        """{"reply:Reply-Message":{"value":"Authentication failed","do_xlat":false}}"""u8.ToArray());

    public static readonly RlmReply TooManySessions = new(StatusCodes.Status401Unauthorized,
        """{"reply:Reply-Message":{"value":"Too many simultaneous sessions","do_xlat":false}}"""u8.ToArray());

    /// <summary>Builds the Access-Accept body for a member: the chosen Auth-Type plus the member's reply attributes.</summary>
    public static byte[] AcceptBody(string authType, RadiusProfile profile, RadiusOptions options)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("control:Auth-Type", authType);
            if (profile.FramedIpAddress is { } ip) WriteLiteral(json, "reply:Framed-IP-Address", ip);
            if (profile.FramedIpv6Prefix is { } prefix) WriteLiteral(json, "reply:Framed-IPv6-Prefix", prefix);
            if (profile.FramedRoutes.Count > 0)
            {
                json.WriteStartObject("reply:Framed-Route");
                json.WriteString("op", ":=");
                json.WriteStartArray("value");
                foreach (var route in profile.FramedRoutes) json.WriteStringValue(route);
                json.WriteEndArray();
                json.WriteBoolean("do_xlat", false);
                json.WriteEndObject();
            }
            if (options.AcctInterimInterval > 0) json.WriteNumber("reply:Acct-Interim-Interval", options.AcctInterimInterval);
            if (options.SessionTimeout > 0) json.WriteNumber("reply:Session-Timeout", options.SessionTimeout);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    static void WriteLiteral(Utf8JsonWriter json, string attribute, string value)
    {
        json.WriteStartObject(attribute);
        json.WriteString("value", value);
        json.WriteBoolean("do_xlat", false);
        json.WriteEndObject();
    }
}

/// <summary>
/// The Access-Accept of a cached member, rendered per request: what every accept shares is encoded once,
/// the member's addresses per request (well under a microsecond), so the cache holds no per-member body. The bytes are
/// those <see cref="RlmReply.AcceptBody"/> writes for the same member.
/// </summary>
public sealed class AcceptTemplate
{
    public const int MaxCompactLength = 512;
    static readonly byte[] Ipv4Head = ",\"reply:Framed-IP-Address\":{\"value\":\""u8.ToArray();
    static readonly byte[] Ipv6Head = ",\"reply:Framed-IPv6-Prefix\":{\"value\":\""u8.ToArray();
    static readonly byte[] LiteralTail = "\",\"do_xlat\":false}"u8.ToArray();

    readonly RadiusOptions _options;
    readonly string _authType;
    readonly byte[] _head;
    readonly byte[] _tail;

    public AcceptTemplate(RadiusOptions options)
    {
        _options = options;
        _authType = options.Flow == AuthFlow.SingleCall ? "Accept" : "rest";
        // {"control:Auth-Type":"Accept" + member attributes + ,"reply:Acct-Interim-Interval":300}
        var bare = RlmReply.AcceptBody(_authType, RadiusProfile.Empty, options);
        var headLength = "{\"control:Auth-Type\":\"".Length + _authType.Length + 1;
        _head = bare[..headLength];
        _tail = bare[headLength..];
        if (_head.Length + _tail.Length + Ipv4Head.Length + Ipv6Head.Length + 2 * (LiteralTail.Length + FramedAddresses.MaxTextLength) > MaxCompactLength)
            throw new InvalidOperationException("The accept template outgrew its buffer");
    }

    /// <summary>Writes the member's accept; -1 when the member's attributes need the general writer (<see cref="Render"/>).</summary>
    public int TryWrite(CachedMember member, Span<byte> destination)
    {
        if (member.IrregularProfile is not null) return -1;
        var addresses = member.Addresses;
        var n = Append(destination, 0, _head);
        if (addresses.HasIpv4)
        {
            n = Append(destination, n, Ipv4Head);
            n += addresses.WriteIpv4(destination[n..]);
            n = Append(destination, n, LiteralTail);
        }
        if (addresses.HasIpv6Prefix)
        {
            n = Append(destination, n, Ipv6Head);
            n += addresses.WriteIpv6Prefix(destination[n..]);
            n = Append(destination, n, LiteralTail);
        }
        return Append(destination, n, _tail);
    }

    /// <summary>The member's accept as a new array (any member, including those with routes).</summary>
    public byte[] Render(CachedMember member)
    {
        if (member.IrregularProfile is { } profile) return RlmReply.AcceptBody(_authType, profile, _options);
        Span<byte> buffer = stackalloc byte[MaxCompactLength];
        return buffer[..TryWrite(member, buffer)].ToArray();
    }

    static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }
}
