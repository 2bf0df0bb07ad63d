using System.Buffers;
using System.Text;
using Neutrinet.RadiusBackend.Radius;
using static Neutrinet.RadiusBackend.UnitTests.Fixtures;

namespace Neutrinet.RadiusBackend.UnitTests;

public class RlmRequestTests
{
    const string UniqueSessionId = "b36dc354626f8c98448f9b558b389766";

    // ---- Captured bodies (facts from a real FreeRADIUS 3.2.1) ----

    [Fact]
    public void Parses_captured_authorize_body()
    {
        var r = Parse("authorize-request");

        Assert.Equal("alice@example.org", r.UserName);
        Assert.Equal("tok_3f9a1c77e2", r.UserPassword);
        Assert.Equal("10.0.0.1", r.NasIpAddress);
        Assert.Equal("OpenVpn", r.NasIdentifier);
        Assert.Equal("203.0.113.45", r.CallingStationId);
        Assert.Equal("5F2A9C3B00000007", r.AcctSessionId);
        Assert.Equal(7, r.NasPort);
        Assert.Equal("10.0.0.1", r.NasKey);
        Assert.Null(r.AcctStatusType);
        Assert.Null(r.AcctUniqueSessionId);
        Assert.Null(r.AcctInputOctets);
        Assert.Null(r.ModuleFailureMessage);
    }

    [Fact]
    public void Parses_captured_accounting_start_body()
    {
        var r = Parse("accounting-start-request");

        Assert.Equal("Start", r.AcctStatusType);
        Assert.Equal(UniqueSessionId, r.AcctUniqueSessionId);
        Assert.Equal("5F2A9C3B00000007", r.AcctSessionId);
        Assert.Equal("10.8.0.6", r.FramedIpAddress);
        Assert.Equal("alice@example.org", r.UserName);
        Assert.Null(r.UserPassword);
        Assert.Null(r.AcctInputOctets);
        Assert.Null(r.AcctOutputOctets);
        Assert.Null(r.AcctSessionTime);
        Assert.Null(r.AcctTerminateCause);
    }

    [Fact]
    public void Parses_captured_accounting_interim_body()
    {
        var r = Parse("accounting-interim-request");

        Assert.Equal("Interim-Update", r.AcctStatusType);
        Assert.Equal(UniqueSessionId, r.AcctUniqueSessionId);
        Assert.Equal(1_048_576, r.AcctInputOctets);
        Assert.Equal(5_242_880, r.AcctOutputOctets);
        Assert.Equal(0, r.AcctInputGigawords);
        Assert.Equal(0, r.AcctOutputGigawords);
        Assert.Equal(300, r.AcctSessionTime);
        Assert.Null(r.AcctTerminateCause);
    }

    [Fact]
    public void Parses_captured_accounting_stop_body()
    {
        var r = Parse("accounting-stop-request");

        Assert.Equal("Stop", r.AcctStatusType);
        Assert.Equal(UniqueSessionId, r.AcctUniqueSessionId);
        Assert.Equal("User-Request", r.AcctTerminateCause);
        Assert.Equal(4_294_967_295, r.AcctInputOctets);
        Assert.Equal(123_456_789, r.AcctOutputOctets);
        Assert.Equal(2, r.AcctInputGigawords);
        Assert.Equal(0, r.AcctOutputGigawords);
        Assert.Equal(3600, r.AcctSessionTime);
        // The 64-bit total rlm_rest's numbers allow: gigawords * 2^32 + octets.
        Assert.Equal(12_884_901_887L, (r.AcctInputGigawords!.Value << 32) + r.AcctInputOctets!.Value);
    }

    [Fact]
    public void Captured_accounting_bodies_share_the_unique_session_id()
    {
        var ids = new[] { "accounting-start-request", "accounting-interim-request", "accounting-stop-request" }
            .Select(f => Parse(f).AcctUniqueSessionId)
            .Distinct()
            .ToList();

        Assert.Equal(UniqueSessionId, Assert.Single(ids));
    }

    [Fact]
    public void Parses_captured_utf8_and_escaping_body()
    {
        var r = Parse("authorize-utf8-and-escaping-request");

        // "\u00C3\u00A5lice" on the wire is UTF-8 escaped byte by byte (pitfall P1); the parser repairs it.
        Assert.Equal("\u00E5lice.o\"brien@example.org", r.UserName);
        Assert.Equal("p\\w/\"x\u2713", r.UserPassword);
        Assert.Equal("10.0.0.1", r.NasIpAddress);
    }

    [Theory]
    [InlineData("authorize-chap-request")]
    [InlineData("authorize-mschapv2-request")]
    public void Parses_captured_challenge_bodies_without_a_password(string fixture)
    {
        var r = Parse(fixture);

        Assert.Equal("alice@example.org", r.UserName);
        Assert.Null(r.UserPassword);
        Assert.Equal(7, r.NasPort);
    }

    [Fact]
    public void Takes_the_first_module_failure_message_of_a_captured_post_auth_body()
    {
        var r = Parse("post-auth-reject-after-failure-request");

        Assert.Equal("rest: Server returned:", r.ModuleFailureMessage);
        Assert.Equal("tok_3f9a1c77e2", r.UserPassword);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void Parses_a_body_split_across_segments(int segmentLength)
    {
        var body = Bytes("accounting-stop-request");

        var ok = RlmRequest.TryParse(Segmented(body, segmentLength), out var r, out var error);

        Assert.True(ok, error);
        Assert.Equal("Stop", r.AcctStatusType);
        Assert.Equal(4_294_967_295, r.AcctInputOctets);
        Assert.Equal(UniqueSessionId, r.AcctUniqueSessionId);
    }

    [Fact]
    public void Parses_the_compact_wire_form_with_escaped_bytes()
    {
        // Exactly what rlm_rest writes for "ålice@example.org" and a password with / and ✓ (E2 9C 93).
        const string wire = """{"User-Name":{"type":"string","value":["\u00c3\u00a5lice@example.org"]},"User-Password":{"type":"string","value":["a\/b\u00e2\u009c\u0093"]}}""";

        Assert.True(TryParse(wire, out var r, out var error), error);
        Assert.Equal("\u00E5lice@example.org", r.UserName);
        Assert.Equal("a/b\u2713", r.UserPassword);
    }

    // ---- Shape ----

    [Fact]
    public void Parses_an_empty_object_as_a_request_without_attributes()
    {
        Assert.True(TryParse("{}", out var r, out var error), error);
        Assert.Null(r.UserName);
        Assert.Null(r.NasPort);
        Assert.Equal("unknown", r.NasKey);
    }

    [Fact]
    public void Nas_key_falls_back_to_the_nas_identifier()
    {
        Assert.True(TryParse(Attribute("NAS-Identifier", "string", """["OpenVpn"]"""), out var r, out var error), error);
        Assert.Equal("OpenVpn", r.NasKey);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""[{"User-Name":{"type":"string","value":["alice@example.org"]}}]""")]
    [InlineData("\"alice@example.org\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    public void Rejects_body_that_is_not_an_object(string body)
    {
        Refused(body);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("}")]
    [InlineData("""{"User-Name":""")]
    [InlineData("""{"User-Name":{"type":"string","value":["alice@example.org"]}""")]
    [InlineData("""{"User-Name":{"type":"string","value":["alice@example.org""")]
    [InlineData("""{"User-Name":{"type":"string","value":["alice@example.org]}}""")]
    [InlineData("""{"User-Name":{"type":"string","value":["alice@example.org"],}}""")]
    [InlineData("""{'User-Name':{'type':'string','value':['alice@example.org']}}""")]
    [InlineData("""{User-Name:{"value":["alice@example.org"]}}""")]
    [InlineData("""{/* comment */"User-Name":{"value":["a"]}}""")]
    [InlineData("""{"User-Name":{"value":["a"]}} {}""")]
    [InlineData("""{"User-Name":{"value":["a"]}}x""")]
    [InlineData("""{"NAS-Port":{"value":[07]}}""")]
    [InlineData("""{"NAS-Port":{"value":[NaN]}}""")]
    [InlineData("""{"User-Name":{"value":["a\x"]}}""")]
    [InlineData("{\"User-Name\":{\"value\":[\"raw\ttab\"]}}")]
    public void Rejects_broken_json(string body)
    {
        Refused(body);
    }

    [Fact]
    public void Rejects_every_truncation_of_a_captured_body()
    {
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Bytes("accounting-stop-request")).TrimEnd());

        for (var length = 0; length < body.Length; length++)
        {
            var ok = TryParse(body[..length], out _, out var error);
            Assert.False(ok, $"a body cut at {length} of {body.Length} bytes was accepted");
            Assert.NotNull(error);
        }
    }

    [Theory]
    [InlineData("""{"User-Name":"alice@example.org"}""")]
    [InlineData("""{"User-Name":["alice@example.org"]}""")]
    [InlineData("""{"User-Name":null}""")]
    [InlineData("""{"Some-Unknown-Attr":42}""")]
    public void Rejects_attribute_that_is_not_an_object(string body)
    {
        Refused(body);
    }

    [Theory]
    [InlineData("User-Name", "string", "\"alice@example.org\"")]
    [InlineData("User-Name", "string", """{"0":"alice@example.org"}""")]
    [InlineData("User-Name", "string", "null")]
    [InlineData("Acct-Input-Octets", "integer", "1048576")]
    [InlineData("Acct-Status-Type", "integer", "\"Stop\"")]
    [InlineData("Some-Unknown-Attr", "string", "\"x\"")]
    public void Rejects_value_that_is_not_an_array(string name, string type, string value)
    {
        var error = Refused(Attribute(name, type, value));
        Assert.Contains("array", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_known_attribute_without_a_value_array()
    {
        var error = Refused("""{"User-Name":{"type":"string"}}""");
        Assert.Contains("User-Name", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_attribute_type_that_is_not_a_string()
    {
        Refused("""{"User-Name":{"type":1,"value":["alice@example.org"]}}""");
    }

    [Theory]
    [InlineData("User-Name", """[{"a":1}]""")]
    [InlineData("User-Name", """[["alice@example.org"]]""")]
    [InlineData("User-Name", """["alice@example.org",{"x":"y"}]""")]
    [InlineData("Acct-Input-Octets", """[{"value":1}]""")]
    [InlineData("Acct-Input-Octets", """[1,[2]]""")]
    [InlineData("Class", """["0x01",{"nested":{"deeper":1}}]""")]
    public void Rejects_nested_objects_in_value_arrays(string name, string values)
    {
        var error = Refused(Attribute(name, "string", values));
        Assert.Contains("strings or numbers", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_nesting_deeper_than_the_reader_allows()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 20);
        Refused($$$"""{"Some-Unknown-Attr":{"type":"string","value":[],"extra":{{{deep}}}}}""");
    }

    [Fact]
    public void Skips_unknown_attributes_and_extra_keys()
    {
        const string body = """
            {"Class":{"type":"octets","value":["0x01","0x02"]},
             "Vendor-Thing":{"type":"integer","value":[true,null,1.5,-3]},
             "Empty-Unknown":{"type":"string"},
             "User-Name":{"type":"string","attr_num":1,"extra":{"a":[1,2]},"value":["alice@example.org"]}}
            """;

        Assert.True(TryParse(body, out var r, out var error), error);
        Assert.Equal("alice@example.org", r.UserName);
    }

    [Fact]
    public void Leaves_an_attribute_with_an_empty_value_array_unset()
    {
        Assert.True(TryParse(Attribute("User-Name", "string", "[]"), out var r, out var error), error);
        Assert.Null(r.UserName);
    }

    [Fact]
    public void Matches_attribute_names_written_with_json_escapes()
    {
        Assert.True(TryParse("""{"User\u002dName":{"type":"string","value":["alice@example.org"]}}""", out var r, out var error), error);
        Assert.Equal("alice@example.org", r.UserName);
    }

    [Fact]
    public void Does_not_match_attribute_names_case_insensitively()
    {
        Assert.True(TryParse(Attribute("user-name", "string", """["alice@example.org"]"""), out var r, out var error), error);
        Assert.Null(r.UserName);
    }

    // ---- Values ----

    [Fact]
    public void Takes_the_first_of_duplicate_values()
    {
        const string body = """
            {"User-Name":{"type":"string","value":["alice@example.org","mallory@example.org"]},
             "Acct-Input-Octets":{"type":"integer","value":[5,7]}}
            """;

        Assert.True(TryParse(body, out var r, out var error), error);
        Assert.Equal("alice@example.org", r.UserName);
        Assert.Equal(5, r.AcctInputOctets);
    }

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("\"\"")]
    [InlineData("\"-5\"")]
    [InlineData("\"+5\"")]
    [InlineData("\" 5\"")]
    [InlineData("\"5 \"")]
    [InlineData("\"0x10\"")]
    [InlineData("\"1e3\"")]
    [InlineData("\"99999999999999999999\"")]
    [InlineData("-1")]
    [InlineData("-9223372036854775808")]
    [InlineData("9223372036854775808")]
    [InlineData("18446744073709551616")]
    [InlineData("1e400")]
    [InlineData("1.5")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("true")]
    [InlineData("null")]
    public void Rejects_wrong_type_for_octet_counter(string value)
    {
        foreach (var counter in new[] { "Acct-Input-Octets", "Acct-Output-Octets", "Acct-Input-Gigawords", "Acct-Output-Gigawords", "Acct-Session-Time", "NAS-Port" })
        {
            var error = Refused(Attribute(counter, "integer", $"[{value}]"));
            Assert.Contains(counter, error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("4294967295", 4_294_967_295L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("\"4294967295\"", 4_294_967_295L)]
    [InlineData("\"0\"", 0L)]
    public void Accepts_non_negative_counters_as_numbers_or_digit_strings(string value, long expected)
    {
        Assert.True(TryParse(Attribute("Acct-Output-Octets", "integer", $"[{value}]"), out var r, out var error), error);
        Assert.Equal(expected, r.AcctOutputOctets);
    }

    [Theory]
    [InlineData("User-Name", "[5]")]
    [InlineData("User-Password", "[true]")]
    [InlineData("Acct-Status-Type", "[null]")]
    [InlineData("Acct-Unique-Session-Id", "[1.5]")]
    [InlineData("Framed-IP-Address", "[167772166]")]
    public void Rejects_wrong_type_for_text_attribute(string name, string values)
    {
        var error = Refused(Attribute(name, "string", values));
        Assert.Contains(name, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\\u0000", "al\0ice@example.org")]
    [InlineData("\\u0007", "al\aice@example.org")]
    [InlineData("\\n", "al\nice@example.org")]
    [InlineData("\\u001b[2J", "al\u001b[2Jice@example.org")]
    [InlineData("\\u007f", "al\u007fice@example.org")]
    public void Handles_nul_and_control_characters_in_user_name(string escaped, string expected)
    {
        var body = Attribute("User-Name", "string", $"[\"al{escaped}ice@example.org\"]");

        Assert.True(TryParse(body, out var r, out var error), error);
        // The parser keeps the text exactly; it is the user-name check that refuses it.
        Assert.Equal(expected, r.UserName);
        Assert.Equal(UserNames.Verdict.Invalid, UserNames.Normalize(r.UserName!, out var normalized));
        Assert.Equal("", normalized);
    }

    [Fact]
    public void Keeps_a_300_character_user_name_intact_for_the_user_name_check_to_refuse()
    {
        var name = new string('a', 288) + "@example.org";
        Assert.Equal(300, name.Length);

        Assert.True(TryParse(Attribute("User-Name", "string", $"[\"{name}\"]"), out var r, out var error), error);
        Assert.Equal(name, r.UserName);
        Assert.Equal(UserNames.Verdict.Invalid, UserNames.Normalize(r.UserName!, out _));
    }

    [Fact]
    public void Handles_huge_strings()
    {
        var huge = new string('x', 1 << 20);
        var body = Attribute("User-Name", "string", $"[\"{huge}\"]");

        Assert.True(TryParse(body, out var r, out var error), error);
        Assert.Equal(huge.Length, r.UserName!.Length);
        Assert.Equal(UserNames.Verdict.Invalid, UserNames.Normalize(r.UserName, out _));
    }

    [Fact]
    public void Repairs_a_huge_escaped_utf8_string()
    {
        // Past RepairLatin1's 512-byte stack buffer: 10,000 × "å" escaped as \u00c3\u00a5.
        var escaped = string.Concat(Enumerable.Repeat("\\u00c3\\u00a5", 10_000));

        Assert.True(TryParse(Attribute("User-Name", "string", $"[\"{escaped}\"]"), out var r, out var error), error);
        Assert.Equal(new string('\u00E5', 10_000), r.UserName);
    }

    [Fact]
    public void Leaves_user_name_unset_when_it_only_appears_inside_another_attribute()
    {
        const string body = """{"Reply-Message":{"type":"string","value":["x"],"User-Name":{"value":["mallory@example.org"]}}}""";

        Assert.True(TryParse(body, out var r, out var error), error);
        Assert.Null(r.UserName);
    }

    // ---- RepairLatin1 (pitfall P1) ----

    [Theory]
    [InlineData("\u00C3\u00A5lice@example.org", "\u00E5lice@example.org")]
    [InlineData("\u00C3\u0085LICE", "\u00C5LICE")]
    [InlineData("x\u00E2\u009C\u0093", "x\u2713")]
    [InlineData("\u00F0\u009F\u0098\u0080", "\U0001F600")]
    [InlineData("\u00E6\u0097\u00A5\u00E6\u009C\u00AC", "\u65E5\u672C")]
    public void Repairs_latin1_escaped_utf8_user_name(string received, string expected)
    {
        Assert.Equal(expected, RlmRequest.RepairLatin1(received));
    }

    [Theory]
    [InlineData("alice@example.org")]
    [InlineData("")]
    [InlineData("caf\u00E9")]                 // a lone Latin-1 é is not valid UTF-8: kept
    [InlineData("\u00C3")]                    // truncated two-byte sequence
    [InlineData("\u00C0\u00AF")]              // overlong encoding of '/'
    [InlineData("\u00ED\u00A0\u0080")]        // UTF-8-encoded surrogate (CESU-8)
    [InlineData("\u00F8\u0088\u0080\u0080\u0080")] // five-byte form
    [InlineData("\u00C3\u00A5 \u2713")]        // already has a char above U+00FF: not rlm_rest's escaping
    public void Keeps_text_that_is_not_latin1_escaped_utf8(string text)
    {
        Assert.Equal(text, RlmRequest.RepairLatin1(text));
    }

    [Fact]
    public void Repairs_a_long_string_past_the_stack_buffer()
    {
        var received = new string('a', 600) + "\u00C3\u00A5";
        Assert.Equal(new string('a', 600) + "\u00E5", RlmRequest.RepairLatin1(received));
    }
}
