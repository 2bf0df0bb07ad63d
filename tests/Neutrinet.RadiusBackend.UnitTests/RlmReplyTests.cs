using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Radius;

namespace Neutrinet.RadiusBackend.UnitTests;

public class RlmReplyTests
{
    static readonly RadiusProfile FullProfile = new(
        "10.8.0.6", "2001:db8:1::/64", ["10.1.0.0/16 10.8.0.1 1", "10.2.0.0/16 10.8.0.1 1"], 2);

    static JsonElement Json(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        return JsonElement.ParseValue(ref reader);
    }

    static void AssertLiteral(JsonElement root, string attribute, string expected)
    {
        var attr = root.GetProperty(attribute);
        Assert.Equal(JsonValueKind.Object, attr.ValueKind);
        Assert.Equal(expected, attr.GetProperty("value").GetString());
        Assert.False(attr.GetProperty("do_xlat").GetBoolean());
    }

    [Fact]
    public void Accept_body_contains_framed_attributes_with_do_xlat_false()
    {
        var body = RlmReply.AcceptBody("Accept", FullProfile, new RadiusOptions { AcctInterimInterval = 300, SessionTimeout = 86400 });
        var root = Json(body);

        Assert.Equal("Accept", root.GetProperty("control:Auth-Type").GetString());
        AssertLiteral(root, "reply:Framed-IP-Address", "10.8.0.6");
        AssertLiteral(root, "reply:Framed-IPv6-Prefix", "2001:db8:1::/64");
        var routes = root.GetProperty("reply:Framed-Route");
        Assert.Equal(":=", routes.GetProperty("op").GetString());
        Assert.False(routes.GetProperty("do_xlat").GetBoolean());
        Assert.Equal(FullProfile.FramedRoutes, routes.GetProperty("value").EnumerateArray().Select(v => v.GetString()!).ToList());
        Assert.Equal(300, root.GetProperty("reply:Acct-Interim-Interval").GetInt32());
        Assert.Equal(86400, root.GetProperty("reply:Session-Timeout").GetInt32());
        Assert.Equal(6, root.EnumerateObject().Count());
    }

    [Fact]
    public void Accept_body_for_an_empty_profile_only_sets_auth_type()
    {
        var body = RlmReply.AcceptBody("rest", RadiusProfile.Empty, new RadiusOptions { AcctInterimInterval = 0, SessionTimeout = 0 });

        Assert.Equal("""{"control:Auth-Type":"rest"}""", Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void Accept_body_sends_interim_interval_by_default_and_no_session_timeout()
    {
        var root = Json(RlmReply.AcceptBody("Accept", RadiusProfile.Empty, new RadiusOptions()));

        Assert.Equal(300, root.GetProperty("reply:Acct-Interim-Interval").GetInt32());
        Assert.False(root.TryGetProperty("reply:Session-Timeout", out _));
    }

    [Fact]
    public void Accept_body_carries_hostile_directory_values_verbatim_and_unexpanded()
    {
        const string hostile = "%{User-Password}\"},\"control:Auth-Type\":\"Accept";
        var profile = new RadiusProfile(hostile, "%{exec:/bin/sh}", ["%{User-Name} \u00E5\u2713\n"], null);

        var body = RlmReply.AcceptBody("rest", profile, new RadiusOptions());
        var root = Json(body);

        Assert.Equal("rest", root.GetProperty("control:Auth-Type").GetString());
        AssertLiteral(root, "reply:Framed-IP-Address", hostile);
        AssertLiteral(root, "reply:Framed-IPv6-Prefix", "%{exec:/bin/sh}");
        var routes = root.GetProperty("reply:Framed-Route");
        Assert.False(routes.GetProperty("do_xlat").GetBoolean());
        Assert.Equal("%{User-Name} \u00E5\u2713\n", Assert.Single(routes.GetProperty("value").EnumerateArray()).GetString());
    }

    [Fact]
    public void Every_reply_string_in_the_accept_body_is_protected_from_xlat()
    {
        var root = Json(RlmReply.AcceptBody("Accept", FullProfile, new RadiusOptions { SessionTimeout = 60 }));

        foreach (var property in root.EnumerateObject().Where(p => p.Name.StartsWith("reply:", StringComparison.Ordinal)))
        {
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    Assert.False(property.Value.GetProperty("do_xlat").GetBoolean(), property.Name);
                    break;
                case JsonValueKind.Number:
                    break;
                default:
                    Assert.Fail($"{property.Name} is a bare {property.Value.ValueKind}, which FreeRADIUS would xlat-expand");
                    break;
            }
        }
    }

    [Fact]
    public void Reject_body_is_constant()
    {
        Assert.Equal(StatusCodes.Status401Unauthorized, RlmReply.Reject.StatusCode);
        Assert.Equal(
            """{"reply:Reply-Message":{"value":"Authentication failed","do_xlat":false}}""",
            Encoding.UTF8.GetString(RlmReply.Reject.Body.Span));
        var root = Json(RlmReply.Reject.Body.Span);
        Assert.Equal("reply:Reply-Message", Assert.Single(root.EnumerateObject()).Name);
    }

    [Fact]
    public void Too_many_sessions_body_is_constant()
    {
        Assert.Equal(StatusCodes.Status401Unauthorized, RlmReply.TooManySessions.StatusCode);
        var message = Json(RlmReply.TooManySessions.Body.Span).GetProperty("reply:Reply-Message");
        Assert.Equal("Too many simultaneous sessions", message.GetProperty("value").GetString());
        Assert.False(message.GetProperty("do_xlat").GetBoolean());
    }

    [Fact]
    public async Task Writes_status_json_content_type_length_and_body()
    {
        var http = new DefaultHttpContext();
        using var sink = new MemoryStream();
        http.Response.Body = sink;

        await RlmReply.Reject.ExecuteAsync(http);

        Assert.Equal(401, http.Response.StatusCode);
        Assert.Equal("application/json", http.Response.ContentType);
        Assert.Equal(RlmReply.Reject.Body.Length, http.Response.ContentLength);
        Assert.Equal(RlmReply.Reject.Body.ToArray(), sink.ToArray());
    }

    [Fact]
    public async Task Writes_an_accept_reply_byte_for_byte()
    {
        var body = RlmReply.AcceptBody("Accept", FullProfile, new RadiusOptions());
        var reply = new RlmReply(StatusCodes.Status200OK, body);
        var http = new DefaultHttpContext();
        using var sink = new MemoryStream();
        http.Response.Body = sink;

        await reply.ExecuteAsync(http);

        Assert.Equal(200, http.Response.StatusCode);
        Assert.Equal(body, sink.ToArray());
    }
}
