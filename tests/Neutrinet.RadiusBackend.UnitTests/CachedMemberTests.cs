using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Radius;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.UnitTests;

public class CachedMemberTests
{
    static LoginEntry Member(RadiusProfile profile, params LoginToken[] tokens) =>
        new("mabcdefghijklmnop", false, profile, tokens);

    static LoginToken Token(string id, string secret, bool suspended = false) => new(id, VpnTokens.HashForLdap(secret), suspended);

    public static TheoryData<string?, string?> RegularAddresses => new()
    {
        { "10.8.1.2", "2001:db8:0:102::/64" },
        { "198.51.100.23", "2001:db8:42::/56" },
        { "0.0.0.1", null },
        { "255.255.255.255", "::/0" },
        { null, "2001:db8:ffff:ffff:ffff:ffff:ffff:ff00/120" },
        { null, null },
        { "10.0.0.1", "::ffff:0:0/96" },
    };

    public static TheoryData<string?, string?> IrregularAddresses => new()
    {
        { "010.8.1.2", null },            // parses, formats back differently
        { "10.8.1.2 ", null },
        { null, "2001:DB8::/32" },          // upper case: kept verbatim
        { null, "2001:db8:0:0::/64" },      // not RFC 5952 form
        { null, "2001:db8::1/64" },         // host bits set
        { "2001:db8::1", null },            // IPv6 where IPv4 belongs
        { null, "10.0.0.0/8" },             // IPv4 where an IPv6 prefix belongs
        { "not an address", "nor a prefix" },
    };

    [Theory]
    [MemberData(nameof(RegularAddresses))]
    [MemberData(nameof(IrregularAddresses))]
    public void The_accept_is_byte_for_byte_what_the_json_writer_produces(string? ipv4, string? ipv6)
    {
        var profile = new RadiusProfile(ipv4, ipv6, [], null);
        foreach (var options in new[]
                 {
                     new RadiusOptions(),
                     new RadiusOptions { Flow = AuthFlow.TwoCall, AcctInterimInterval = 0, SessionTimeout = 86400 },
                 })
        {
            var cached = CachedMember.From(Member(profile), 0);
            var expected = RlmReply.AcceptBody(options.Flow == AuthFlow.SingleCall ? "Accept" : "rest", profile, options);

            var rendered = new AcceptTemplate(options).Render(cached);

            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(rendered));
        }
    }

    [Fact]
    public void Ipv6_prefixes_are_written_as_the_runtime_formats_them()
    {
        var random = new Random(5952);
        var options = new RadiusOptions();
        var template = new AcceptTemplate(options);
        var regular = 0;
        for (var n = 0; n < 20_000; n++)
        {
            // Each group zero or not at random, so runs of zeros of every length and place occur, ties included.
            var bytes = new byte[16];
            for (var g = 0; g < 8; g++)
            {
                var kind = random.Next(4);
                if (kind == 0) continue;
                var value = kind == 1 ? random.Next(1, 16) : random.Next(1, 0x10000);
                bytes[2 * g] = (byte)(value >> 8);
                bytes[2 * g + 1] = (byte)value;
            }
            if (n % 7 == 0) bytes[10] = bytes[11] = 0xff; // the IPv4-mapped range, printed with a dotted tail
            var prefix = new IPAddress(bytes) + "/128";
            var profile = new RadiusProfile(null, prefix, [], null);
            var cached = CachedMember.From(Member(profile), 0);

            Assert.Equal(Encoding.UTF8.GetString(RlmReply.AcceptBody("Accept", profile, options)),
                Encoding.UTF8.GetString(template.Render(cached)));
            // Only the runtime's dotted forms (an IPv4 tail) are left to the stored text.
            Assert.Equal(prefix.Contains('.'), cached.IrregularProfile is not null);
            if (cached.IrregularProfile is null) regular++;
        }
        Assert.True(regular > 15_000, $"only {regular} addresses took the compact path");
    }

    [Theory]
    [MemberData(nameof(RegularAddresses))]
    public void Canonical_addresses_are_held_as_numbers(string? ipv4, string? ipv6)
    {
        var cached = CachedMember.From(Member(new RadiusProfile(ipv4, ipv6, [], null)), 0);

        Assert.Null(cached.IrregularProfile);
        Assert.Equal(ipv4 is not null, cached.Addresses.HasIpv4);
        Assert.Equal(ipv6 is not null, cached.Addresses.HasIpv6Prefix);
    }

    [Theory]
    [MemberData(nameof(IrregularAddresses))]
    public void Values_that_would_not_round_trip_are_kept_as_read(string? ipv4, string? ipv6)
    {
        var profile = new RadiusProfile(ipv4, ipv6, [], null);

        Assert.Same(profile, CachedMember.From(Member(profile), 0).IrregularProfile);
    }

    [Fact]
    public void A_member_with_routes_gets_the_general_writer_and_the_same_bytes()
    {
        var profile = new RadiusProfile("10.8.0.6", "2001:db8:1::/64", ["10.1.0.0/16 10.8.0.1 1"], 2);
        var options = new RadiusOptions();
        var cached = CachedMember.From(Member(profile), 0);
        var template = new AcceptTemplate(options);

        Assert.Equal(-1, template.TryWrite(cached, new byte[AcceptTemplate.MaxCompactLength]));
        Assert.Equal(RlmReply.AcceptBody("Accept", profile, options), template.Render(cached));
        Assert.Equal(2, cached.SimultaneousUse);
    }

    [Fact]
    public async Task The_reply_written_to_a_response_has_the_right_length_and_type()
    {
        var cached = CachedMember.From(Member(new RadiusProfile("10.8.1.2", "2001:db8:0:102::/64", [], null)), 0);
        var reply = new RlmReply(new AcceptTemplate(new RadiusOptions()), cached);
        var http = new DefaultHttpContext();
        var body = new MemoryStream();
        http.Response.Body = body;

        await reply.ExecuteAsync(http);

        Assert.Equal(200, http.Response.StatusCode);
        Assert.Equal("application/json", http.Response.ContentType);
        Assert.Equal(body.Length, http.Response.ContentLength);
        Assert.Equal(
            """{"control:Auth-Type":"Accept","reply:Framed-IP-Address":{"value":"10.8.1.2","do_xlat":false},"reply:Framed-IPv6-Prefix":{"value":"2001:db8:0:102::/64","do_xlat":false},"reply:Acct-Interim-Interval":300}""",
            Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task A_member_with_routes_is_written_to_the_response_by_the_general_writer()
    {
        var profile = new RadiusProfile("10.8.0.6", "2001:db8:1::/64", ["10.1.0.0/16 10.8.0.1 1"], 2);
        var options = new RadiusOptions();
        var reply = new RlmReply(new AcceptTemplate(options), CachedMember.From(Member(profile), 0));
        var http = new DefaultHttpContext();
        var body = new MemoryStream();
        http.Response.Body = body;

        await reply.ExecuteAsync(http);

        Assert.Equal(body.Length, http.Response.ContentLength);
        Assert.Equal(Encoding.UTF8.GetString(RlmReply.AcceptBody("Accept", profile, options)), Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public void Tokens_keep_decodable_hashes_only_with_their_ids_and_suspension()
    {
        var broken = new LoginToken("tbroken", "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", false);
        var cached = CachedMember.From(Member(RadiusProfile.Empty, Token("tone", "nvt_one"), broken, Token("ttwo", "nvt_two", suspended: true)), 0);

        Assert.Equal("mabcdefghijklmnop", cached.Id);
        Assert.Equal(2, cached.TokenCount);
        Assert.Equal("tone", cached.TokenId(0));
        Assert.Equal("ttwo", cached.TokenId(1));
        Assert.False(cached.IsTokenSuspended(0));
        Assert.True(cached.IsTokenSuspended(1));
        Assert.Equal(0, cached.MatchToken("nvt_one"u8));
        Assert.Equal(1, cached.MatchToken("nvt_two"u8));
        Assert.Equal(-1, cached.MatchToken("nvt_three"u8));
        Assert.Equal(-1, cached.MatchToken(""u8));
        Assert.Throws<ArgumentOutOfRangeException>(() => cached.TokenId(2));
    }

    [Fact]
    public void Ids_and_hashes_of_any_length_survive_packing()
    {
        var longId = "m" + new string('x', 300);
        var salt = new byte[200];
        Random.Shared.NextBytes(salt);
        var digest = System.Security.Cryptography.SHA512.HashData([.. "nvt_long"u8, .. salt]);
        var stored = VpnTokens.LdapScheme + Convert.ToBase64String([.. digest, .. salt]);
        var member = new LoginEntry(longId, true, RadiusProfile.Empty, [new LoginToken("téé", stored, false)]);

        var cached = CachedMember.From(member, 42);

        Assert.Equal(longId, cached.Id);
        Assert.Equal("téé", cached.TokenId(0));
        Assert.Equal(0, cached.MatchToken("nvt_long"u8));
        Assert.True(cached.Suspended);
        Assert.Equal(42, cached.FetchedAtMs);
    }

    [Fact]
    public void A_verified_secret_matches_again_by_its_tag_and_no_other_secret_does()
    {
        var cached = CachedMember.From(Member(RadiusProfile.Empty,
            Token("tone", "nvt_one"), Token("ttwo", "nvt_two", suspended: true), Token("tthree", "nvt_three")), 0);
        string[] wrong = ["nvt_one ", "nvt_on", "NVT_ONE", "nvt_two\0", "", "nvt_four"];

        foreach (var round in new[] { "first (SSHA512)", "again (tag)", "third" })
        {
            Assert.Equal(0, cached.MatchToken("nvt_one"u8));
            Assert.Equal(1, cached.MatchToken("nvt_two"u8));
            Assert.Equal(2, cached.MatchToken("nvt_three"u8));
            foreach (var secret in wrong) Assert.True(cached.MatchToken(Encoding.UTF8.GetBytes(secret)) == -1, $"{secret} matched ({round})");
        }
        Assert.Equal("ttwo", cached.TokenId(1));
        Assert.True(cached.IsTokenSuspended(1));
        Assert.False(cached.IsTokenSuspended(2));
        Assert.Equal(3, cached.TokenCount);
    }

    [Fact]
    public void After_one_verification_the_tag_answers_without_the_hash_and_a_new_entry_starts_over()
    {
        var token = Token("tone", "nvt_one");
        var cached = CachedMember.From(Member(RadiusProfile.Empty, token), 0);
        Assert.Equal(0, cached.MatchToken("nvt_one"u8));

        // Destroy the stored digest: only the remembered tag can still recognise the secret.
        Assert.True(VpnTokens.TryDecodeLdapValue(token.PasswordHash, out var digestThenSalt));
        var packed = (byte[])typeof(CachedMember).GetField("_packed", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(cached)!;
        var digestAt = packed.AsSpan().IndexOf(digestThenSalt.AsSpan(0, 64));
        Assert.True(digestAt > 0);
        packed.AsSpan(digestAt, 64).Clear();

        Assert.Equal(0, cached.MatchToken("nvt_one"u8));
        Assert.Equal(-1, cached.MatchToken("nvt_two"u8));
        // Tags live in the entry: another read of the directory (here a new hash for the same token id) starts over.
        var reissued = CachedMember.From(Member(RadiusProfile.Empty, Token("tone", "nvt_new")), 0);
        Assert.Equal(-1, reissued.MatchToken("nvt_one"u8));
        Assert.Equal(0, reissued.MatchToken("nvt_new"u8));
    }

    [Fact]
    public void Concurrent_logins_of_one_member_all_get_the_right_token()
    {
        var cached = CachedMember.From(Member(RadiusProfile.Empty, Token("tone", "nvt_one"), Token("ttwo", "nvt_two")), 0);
        byte[][] secrets = ["nvt_one"u8.ToArray(), "nvt_two"u8.ToArray(), "nvt_bad"u8.ToArray()];
        var wrongAnswers = 0;

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var expected = i % 3 == 2 ? -1 : i % 3;
            if (cached.MatchToken(secrets[i % 3]) != expected) Interlocked.Increment(ref wrongAnswers);
        });

        Assert.Equal(0, wrongAnswers);
    }

    [Fact]
    public void A_member_without_tokens_matches_nothing()
    {
        var cached = CachedMember.From(Member(RadiusProfile.Empty), 0);

        Assert.Equal(0, cached.TokenCount);
        Assert.Equal(-1, cached.MatchToken("nvt_x"u8));
    }

    [Fact]
    public void A_tokens_use_is_recorded_once_a_minute_and_at_once_for_another_token()
    {
        var cached = CachedMember.From(Member(RadiusProfile.Empty, Token("tone", "nvt_one"), Token("ttwo", "nvt_two")), 0);

        Assert.True(cached.ShouldRecordUse(0, 1_000_000));
        Assert.False(cached.ShouldRecordUse(0, 1_000_000 + 59_999));
        Assert.True(cached.ShouldRecordUse(1, 1_000_000 + 59_999));
        Assert.True(cached.ShouldRecordUse(0, 1_000_000 + 60_000));
        Assert.False(cached.ShouldRecordUse(0, 1_000_000 + 60_001));
        Assert.True(cached.ShouldRecordUse(0, 1_000_000 + 120_000));
    }

    [Fact]
    public void Open_sessions_are_kept_as_last_set_and_none_is_kept_with_the_time_of_its_read()
    {
        var member = CachedMember.From(Member(new RadiusProfile(null, null, [], null), Token("tabcdefghijklm", "secret")), 1_000);
        Assert.False(member.TryGetOpenSessions(out _));

        member.SetOpenSessions(new OpenSessionsSnapshot([], 2_000));
        Assert.True(member.TryGetOpenSessions(out var none));
        Assert.Empty(none.Sessions);
        Assert.Equal(2_000, none.ReadStartedAtMs);

        var open = new SessionView("u1", "mabcdefghijklmnop", "a@example.org", "S1", "vpn1", "192.0.2.1", "203.0.113.5", "10.8.0.9",
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, 0, 0, 0, null, true);
        member.SetOpenSessions(new OpenSessionsSnapshot([open], 3_000));
        Assert.True(member.TryGetOpenSessions(out var one));
        Assert.Same(open, Assert.Single(one.Sessions));
        Assert.Equal(3_000, one.ReadStartedAtMs);

        member.SetOpenSessions(new OpenSessionsSnapshot([], 4_000));
        Assert.True(member.TryGetOpenSessions(out var noneAgain));
        Assert.Empty(noneAgain.Sessions);
        Assert.Equal(4_000, noneAgain.ReadStartedAtMs);
    }
}
