using System.Buffers;
using System.Text;
using Neutrinet.RadiusBackend.Radius;
using static Neutrinet.RadiusBackend.UnitTests.Fixtures;

namespace Neutrinet.RadiusBackend.UnitTests;

/// <summary>
/// The plain-shape scanner (the warm path's parser) against the general JSON reader: whenever the scanner accepts a
/// body, the reader accepts it too with the same attributes; whatever the scanner declines, TryParse answers exactly
/// as the reader does.
/// </summary>
public class RlmRequestScanTests
{
    static readonly string[] CapturedBodies =
    [
        "authorize-request", "accounting-start-request", "accounting-interim-request", "accounting-stop-request",
        "post-auth-reject-after-failure-request", "authorize-chap-request", "authorize-mschapv2-request",
    ];

    [Fact]
    public void Captured_bodies_take_the_scanner_and_read_as_the_reader_reads_them()
    {
        foreach (var name in CapturedBodies)
        {
            var body = Bytes(name);
            Assert.True(RlmRequest.TryScanPlain(body, out var scanned), $"{name} should take the scanner");
            Assert.True(RlmRequest.TryParseWithReader(new ReadOnlySequence<byte>(body), out var read, out var error), error);
            AssertSameAttributes(read, scanned, name);
        }
    }

    [Fact]
    public void Compact_rlm_rest_body_takes_the_scanner()
    {
        var body = Encoding.ASCII.GetBytes(
            """{"User-Name":{"type":"string","value":["alice@example.org"]},"User-Password":{"type":"string","value":["tok_3f9a1c77e2"]},"NAS-Port":{"type":"integer","value":[7]},"Acct-Session-Time":{"type":"integer","value":["0042"]},"Service-Type":{"type":"integer","value":["Outbound-User"]}}""");

        Assert.True(RlmRequest.TryScanPlain(body, out var r));
        Assert.Equal("alice@example.org", r.UserName);
        Assert.Equal("tok_3f9a1c77e2", r.UserPassword);
        Assert.Equal(7, r.NasPort);
        Assert.Equal(42, r.AcctSessionTime);
    }

    [Fact]
    public void The_nas_attributes_of_consecutive_requests_share_their_strings_and_keep_their_values()
    {
        static RlmRequest Scan(string nasIp, string nasId, string user)
        {
            var body = Encoding.ASCII.GetBytes($$$"""{"User-Name":{"type":"string","value":["{{{user}}}"]},"NAS-IP-Address":{"type":"ipaddr","value":["{{{nasIp}}}"]},"NAS-Identifier":{"type":"string","value":["{{{nasId}}}"]}}""");
            Assert.True(RlmRequest.TryScanPlain(body, out var r));
            return r;
        }

        // Other tests scan bodies on other threads at the same time and may take the last-value slot in between:
        // sharing has to show in one of a few attempts.
        RlmRequest first = null!, second = null!;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            first = Scan("192.0.2.7", "vpn-bxl-1", "alice@example.org");
            second = Scan("192.0.2.7", "vpn-bxl-1", "bob@example.org");
            if (ReferenceEquals(first.NasIpAddress, second.NasIpAddress) && ReferenceEquals(first.NasIdentifier, second.NasIdentifier)) break;
        }
        var other = Scan("192.0.2.8", "vpn-bxl-2", "carol@example.org");
        var back = Scan("192.0.2.7", "vpn-bxl-1", "dave@example.org");

        Assert.Same(first.NasIpAddress, second.NasIpAddress);
        Assert.Same(first.NasIdentifier, second.NasIdentifier);
        Assert.Equal(("192.0.2.8", "vpn-bxl-2"), (other.NasIpAddress, other.NasIdentifier));
        Assert.Equal(("192.0.2.7", "vpn-bxl-1"), (back.NasIpAddress, back.NasIdentifier));
        Assert.Equal("bob@example.org", second.UserName);
        Assert.Equal(("192.0.2.7", "vpn-bxl-1"), (first.NasIpAddress, first.NasIdentifier));
    }

    [Theory]
    [InlineData("escaped string", """{"User-Name":{"type":"string","value":["al\u0069ce@example.org"]}}""")]
    [InlineData("escaped slash", """{"NAS-Identifier":{"type":"string","value":["a\/b"]}}""")]
    [InlineData("byte escaped by rlm_rest", """{"User-Name":{"type":"string","value":["\u00C3\u00A5lice@example.org"]}}""")]
    [InlineData("raw non-ASCII", "{\"User-Name\":{\"type\":\"string\",\"value\":[\"ålice@example.org\"]}}")]
    [InlineData("escaped name", """{"User\u002DName":{"type":"string","value":["alice@example.org"]}}""")]
    [InlineData("fraction", """{"NAS-Port":{"type":"integer","value":[7.0]}}""")]
    [InlineData("exponent", """{"NAS-Port":{"type":"integer","value":[7e0]}}""")]
    [InlineData("negative", """{"NAS-Port":{"type":"integer","value":[-7]}}""")]
    [InlineData("negative zero", """{"NAS-Port":{"type":"integer","value":[-0]}}""")]
    [InlineData("leading zero", """{"NAS-Port":{"type":"integer","value":[07]}}""")]
    [InlineData("19 digits", """{"Acct-Input-Octets":{"type":"integer64","value":[1234567890123456789]}}""")]
    [InlineData("overflow", """{"Acct-Input-Octets":{"type":"integer64","value":[99999999999999999999]}}""")]
    [InlineData("signed digits string", """{"NAS-Port":{"type":"integer","value":["+7"]}}""")]
    [InlineData("empty digits string", """{"NAS-Port":{"type":"integer","value":[""]}}""")]
    [InlineData("number for a string", """{"User-Name":{"type":"string","value":[42]}}""")]
    [InlineData("true", """{"Other":{"type":"string","value":[true]}}""")]
    [InlineData("null", """{"User-Name":{"type":"string","value":[null]}}""")]
    [InlineData("duplicate value key", """{"User-Name":{"type":"string","value":["a@b.c"],"value":["d@e.f"]}}""")]
    [InlineData("duplicate type key", """{"User-Name":{"type":"string","type":"string","value":["a@b.c"]}}""")]
    [InlineData("other key", """{"User-Name":{"type":"string","op":":=","value":["a@b.c"]}}""")]
    [InlineData("missing value", """{"User-Name":{"type":"string"}}""")]
    [InlineData("nested value", """{"User-Name":{"type":"string","value":[["a@b.c"]]}}""")]
    [InlineData("value not an array", """{"User-Name":{"type":"string","value":"a@b.c"}}""")]
    [InlineData("type not a string", """{"User-Name":{"type":1,"value":["a@b.c"]}}""")]
    [InlineData("attribute not an object", """{"User-Name":["a@b.c"]}""")]
    [InlineData("trailing comma", """{"User-Name":{"type":"string","value":["a@b.c"]},}""")]
    [InlineData("trailing comma in values", """{"User-Name":{"type":"string","value":["a@b.c",]}}""")]
    [InlineData("trailing garbage", """{"User-Name":{"type":"string","value":["a@b.c"]}} x""")]
    [InlineData("second object", """{} {}""")]
    [InlineData("unterminated", """{"User-Name":{"type":"string","value":["a@b.c""")]
    [InlineData("control character", "{\"User-Name\":{\"type\":\"string\",\"value\":[\"a\u0001@b.c\"]}}")]
    [InlineData("DEL", "{\"User-Name\":{\"type\":\"string\",\"value\":[\"a\u007F@b.c\"]}}")]
    [InlineData("byte order mark", "\uFEFF{}")]
    [InlineData("comment", """{/* x */}""")]
    [InlineData("array body", """[]""")]
    [InlineData("empty body", "")]
    [InlineData("form feed as space", "{\f}")]
    public void Scanner_declines_what_it_does_not_know_and_the_reader_decides(string why, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        Assert.False(RlmRequest.TryScanPlain(body, out _), why);
        AssertSameAnswer(body, why);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData(" \t\r\n{ } \n")]
    [InlineData("""{"User-Name":{"value":[],"type":"string"}}""")]
    [InlineData("""{"User-Name":{"value":["a@b.c","d@e.f"]}}""")]
    [InlineData("""{"Other":{}}""")]
    [InlineData("""{"User-Name":{"type":"string","value":["a@b.c"]},"User-Name":{"type":"string","value":["d@e.f"]}}""")]
    [InlineData("""{"NAS-Port":{"type":"integer","value":[0]},"Acct-Output-Octets":{"type":"integer64","value":[123456789012345678]}}""")]
    [InlineData("""{"Acct-Status-Type":{"type":"integer","value":["Stop"]},"Other":{"type":"integer","value":[1,2,"x"]}}""")]
    public void Scanner_accepts_every_plain_shape_the_reader_accepts_the_same_way(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        Assert.True(RlmRequest.TryScanPlain(body, out var scanned), json);
        Assert.True(RlmRequest.TryParseWithReader(new ReadOnlySequence<byte>(body), out var read, out var error), error);
        AssertSameAttributes(read, scanned, json);
    }

    /// <summary>
    /// Thousands of generated bodies — rlm_rest's shape with every attribute the backend reads, random spacing, values
    /// that the scanner takes or declines, and the same bodies cut short or with a byte changed — give TryParse the
    /// reader's exact answer, and the scanner never accepts what the reader refuses.
    /// </summary>
    [Fact]
    public void Generated_and_damaged_bodies_get_the_readers_answer()
    {
        var random = new Random(20261124);
        int scanned = 0, damagedScanned = 0, total = 0;
        for (var i = 0; i < 4000; i++)
        {
            var body = Encoding.UTF8.GetBytes(GenerateBody(random));
            scanned += Check(body) ? 1 : 0;
            var damaged = Damage(body, random);
            damagedScanned += Check(damaged) ? 1 : 0;
            total++;
        }
        // The generator must exercise both sides: many clean bodies are plain, and damage rarely leaves a plain body.
        Assert.True(scanned > total / 5, $"only {scanned} of {total} generated bodies took the scanner");
        Assert.True(scanned < total, "every generated body took the scanner: the declining side is untested");
        Assert.True(damagedScanned < total / 2, $"{damagedScanned} of {total} damaged bodies took the scanner");
    }

    static bool Check(byte[] body)
    {
        var plain = RlmRequest.TryScanPlain(body, out var scanned);
        var readOk = RlmRequest.TryParseWithReader(new ReadOnlySequence<byte>(body), out var read, out _);
        if (plain)
        {
            Assert.True(readOk, $"scanner accepted a body the reader refuses: {Encoding.UTF8.GetString(body)}");
            AssertSameAttributes(read, scanned, Encoding.UTF8.GetString(body));
        }
        AssertSameAnswer(body, Encoding.UTF8.GetString(body));
        return plain;
    }

    static void AssertSameAnswer(byte[] body, string why)
    {
        var expectedOk = RlmRequest.TryParseWithReader(new ReadOnlySequence<byte>(body), out var expected, out var expectedError);
        var ok = RlmRequest.TryParse(new ReadOnlySequence<byte>(body), out var actual, out var error);
        Assert.Equal(expectedOk, ok);
        Assert.Equal(expectedError, error);
        if (ok) AssertSameAttributes(expected, actual, why);
    }

    static void AssertSameAttributes(RlmRequest expected, RlmRequest actual, string why)
    {
        foreach (var property in typeof(RlmRequest).GetProperties())
            Assert.True(Equals(property.GetValue(expected), property.GetValue(actual)),
                $"{property.Name}: reader {property.GetValue(expected)}, scanner {property.GetValue(actual)} in {why}");
    }

    static readonly string[] TextAttributes =
    [
        "User-Name", "User-Password", "NAS-IP-Address", "NAS-Identifier", "Calling-Station-Id", "Acct-Session-Id",
        "Acct-Unique-Session-Id", "Acct-Status-Type", "Acct-Terminate-Cause", "Framed-IP-Address", "Module-Failure-Message",
    ];

    static readonly string[] NumberAttributes =
    [
        "NAS-Port", "Acct-Session-Time", "Acct-Delay-Time", "Acct-Input-Octets", "Acct-Output-Octets",
        "Acct-Input-Gigawords", "Acct-Output-Gigawords",
    ];

    static readonly string[] OtherAttributes = ["Service-Type", "NAS-Port-Type", "Event-Timestamp", "Called-Station-Id", "User-Nam", "user-name"];

    static string GenerateBody(Random random)
    {
        var json = new StringBuilder();
        json.Append(Space(random)).Append('{');
        var count = random.Next(0, 12);
        for (var i = 0; i < count; i++)
        {
            if (i > 0) json.Append(',');
            var pick = random.Next(3);
            var (name, values) = pick switch
            {
                0 => (Pick(TextAttributes, random), Values(random, TextValue)),
                1 => (Pick(NumberAttributes, random), Values(random, NumberValue)),
                _ => (Pick(OtherAttributes, random), random.Next(2) == 0 ? Values(random, TextValue) : Values(random, NumberValue)),
            };
            var type = $"\"type\"{Space(random)}:{Space(random)}\"{(pick == 1 ? "integer" : "string")}\"";
            var value = $"\"value\"{Space(random)}:{Space(random)}[{Space(random)}{string.Join($"{Space(random)},{Space(random)}", values)}{Space(random)}]";
            var members = random.Next(10) == 0 ? $"{value},{Space(random)}{type}" : $"{type},{Space(random)}{value}";
            json.Append(Space(random)).Append('"').Append(name).Append('"').Append(Space(random)).Append(':').Append(Space(random))
                .Append('{').Append(Space(random)).Append(members).Append(Space(random)).Append('}');
        }
        return json.Append(Space(random)).Append('}').Append(Space(random)).ToString();
    }

    /// <summary>Usually one value, as rlm_rest sends; sometimes none or two.</summary>
    static string[] Values(Random random, Func<Random, string> value) =>
        Enumerable.Range(0, random.Next(8) == 0 ? random.Next(0, 3) : 1).Select(_ => value(random)).ToArray();

    static string TextValue(Random random) => random.Next(12) switch
    {
        0 => "\"caf\\u00c3\\u00a9@example.org\"",
        1 => "\"a\\\"b\"",
        2 => "\"\"",
        3 => "17",
        4 => "\"\\/x\"",
        _ => "\"" + new string(Enumerable.Range(0, random.Next(1, 30)).Select(_ => (char)random.Next(' ', '~' + 1))
            .Where(c => c is not ('"' or '\\')).ToArray()) + "\"",
    };

    static string NumberValue(Random random) => random.Next(14) switch
    {
        0 => "-3",
        1 => "1.5",
        2 => "2e3",
        3 => "\"0042\"",
        4 => "\"x1\"",
        5 => "12345678901234567890",
        6 => "0",
        7 => "\"" + random.NextInt64(0, long.MaxValue) + "\"",
        _ => random.NextInt64(0, 1L << random.Next(1, 62)).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    static string Space(Random random) => random.Next(4) switch
    {
        0 => " ",
        1 when random.Next(4) == 0 => "\r\n\t ",
        _ => "",
    };

    static T Pick<T>(T[] items, Random random) => items[random.Next(items.Length)];

    const string Punctuation = "{}[]\",:\\ 0-e.x\u00ff";

    static byte[] Damage(byte[] body, Random random)
    {
        if (body.Length == 0) return [(byte)'{'];
        var at = random.Next(body.Length);
        return random.Next(4) switch
        {
            0 => body[..at],
            1 => [.. body[..at], .. body[(at + 1)..]],
            2 => [.. body[..at], (byte)Punctuation[random.Next(Punctuation.Length)], .. body[at..]],
            _ => [.. body[..at], (byte)random.Next(256), .. body[(at + 1)..]],
        };
    }
}
