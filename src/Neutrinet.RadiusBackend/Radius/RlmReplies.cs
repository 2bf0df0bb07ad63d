using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Neutrinet.RadiusBackend.Directory;

namespace Neutrinet.RadiusBackend.Radius;

/// <summary>
/// An rlm_rest JSON answer written from pre-serialised bytes: the warm path serialises nothing.
/// Keys are <c>[list:]Attribute</c>; strings carry <c>do_xlat: false</c> so FreeRADIUS never expands <c>%{...}</c> in them.
/// </summary>
public sealed class RlmReply(int statusCode, ReadOnlyMemory<byte> body) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int StatusCode { get; } = statusCode;
    int? IStatusCodeHttpResult.StatusCode => StatusCode;
    public ReadOnlyMemory<byte> Body { get; } = body;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json";
        response.ContentLength = Body.Length;
        return response.Body.WriteAsync(Body).AsTask();
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
