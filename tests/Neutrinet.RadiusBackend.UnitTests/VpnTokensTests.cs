using System.Security.Cryptography;
using System.Text;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.UnitTests;

public class VpnTokensTests
{
    const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    // Produced by OpenLDAP's own tool: slappasswd -o module-load=pw-sha2 -h '{SSHA512}' -s <secret>
    const string SlappasswdSecret = "nvt_abcdefghijklmnopqrstuvwxyz234567";
    const string SlappasswdValue = "{SSHA512}ZZHY1dnzl3vZfJ11KxisPxtStu0FS/srkGuEEBWxjbtixvpDC78Qjh2T7CI4zx1GCztHtB8qwAWSeHXgVaay6Cc1m+Hf+I8J";

    [Fact]
    public void Token_has_prefix_and_at_least_128_bits()
    {
        var token = VpnTokens.Issue();

        Assert.StartsWith(VpnTokens.Prefix, token.Secret, StringComparison.Ordinal);
        Assert.Equal("nvt_", VpnTokens.Prefix);
        var body = token.Secret[VpnTokens.Prefix.Length..];
        Assert.All(body, c => Assert.Contains(c, Base32Alphabet));
        Assert.True(body.Length * 5 >= 128, $"{body.Length} base32 chars carry fewer than 128 bits");
        Assert.StartsWith("t", token.TokenId, StringComparison.Ordinal);
        Assert.All(token.TokenId[1..], c => Assert.Contains(c, Base32Alphabet));
    }

    [Fact]
    public void Issued_tokens_are_unique()
    {
        var tokens = Enumerable.Range(0, 200).Select(_ => VpnTokens.Issue()).ToList();

        Assert.Equal(tokens.Count, tokens.Select(t => t.Secret).Distinct().Count());
        Assert.Equal(tokens.Count, tokens.Select(t => t.TokenId).Distinct().Count());
        Assert.Equal(tokens.Count, tokens.Select(t => t.LdapPasswordValue).Distinct().Count());
    }

    [Fact]
    public void Ssha512_value_matches_slapd_layout()
    {
        var token = VpnTokens.Issue();

        Assert.StartsWith("{SSHA512}", token.LdapPasswordValue, StringComparison.Ordinal);
        var raw = Convert.FromBase64String(token.LdapPasswordValue["{SSHA512}".Length..]);
        Assert.True(raw.Length > 64, "digest and salt");
        var digest = raw[..64];
        var salt = raw[64..];
        Assert.Equal(16, salt.Length);
        Assert.Equal(SHA512.HashData([.. Encoding.UTF8.GetBytes(token.Secret), .. salt]), digest);
        Assert.DoesNotContain(token.Secret, token.LdapPasswordValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Verifies_a_value_written_by_slappasswd()
    {
        Assert.True(VpnTokens.TryDecodeLdapValue(SlappasswdValue, out var stored));
        Assert.Equal(64 + 8, stored.Length); // slapd's pw-sha2 uses an 8-byte salt; any length must work

        Assert.True(VpnTokens.Matches(Encoding.UTF8.GetBytes(SlappasswdSecret), stored));
        Assert.False(VpnTokens.Matches(Encoding.UTF8.GetBytes(SlappasswdSecret + "x"), stored));
    }

    [Fact]
    public void Matches_the_right_secret_and_nothing_else()
    {
        var token = VpnTokens.Issue();
        Assert.True(VpnTokens.TryDecodeLdapValue(token.LdapPasswordValue, out var stored));

        Assert.True(VpnTokens.Matches(Encoding.UTF8.GetBytes(token.Secret), stored));
        var last = token.Secret[^1];
        var wrong = new[]
        {
            "",
            VpnTokens.Prefix,
            token.Secret[..^1],
            token.Secret + "a",
            token.Secret.ToUpperInvariant(),
            token.Secret[..^1] + (last == 'a' ? 'b' : 'a'),
            " " + token.Secret,
            token.Secret + "\0",
        };
        foreach (var candidate in wrong)
            Assert.False(VpnTokens.Matches(Encoding.UTF8.GetBytes(candidate), stored), $"'{candidate}' matched");
    }

    [Fact]
    public void Matches_is_false_against_a_value_too_short_for_digest_and_salt()
    {
        var token = VpnTokens.Issue();
        Assert.True(VpnTokens.TryDecodeLdapValue(token.LdapPasswordValue, out var stored));

        Assert.False(VpnTokens.Matches(Encoding.UTF8.GetBytes(token.Secret), stored.AsSpan(0, 64)));
        Assert.False(VpnTokens.Matches(Encoding.UTF8.GetBytes(token.Secret), stored.AsSpan(0, 32)));
        Assert.False(VpnTokens.Matches(Encoding.UTF8.GetBytes(token.Secret), []));
        Assert.False(VpnTokens.Matches([], []));
    }

    [Fact]
    public void Matches_a_secret_longer_than_the_stack_buffer()
    {
        var secret = "nvt_" + new string('x', 5000);
        var stored = VpnTokens.HashForLdap(secret);
        Assert.True(VpnTokens.TryDecodeLdapValue(stored, out var decoded));

        Assert.True(VpnTokens.Matches(Encoding.UTF8.GetBytes(secret), decoded));
        Assert.False(VpnTokens.Matches(Encoding.UTF8.GetBytes(secret[..^1]), decoded));
    }

    [Fact]
    public void Hashing_the_same_secret_twice_uses_fresh_salt()
    {
        var a = VpnTokens.HashForLdap("nvt_same");
        var b = VpnTokens.HashForLdap("nvt_same");

        Assert.NotEqual(a, b);
        Assert.True(VpnTokens.TryDecodeLdapValue(a, out var da));
        Assert.True(VpnTokens.TryDecodeLdapValue(b, out var db));
        Assert.True(VpnTokens.Matches("nvt_same"u8, da));
        Assert.True(VpnTokens.Matches("nvt_same"u8, db));
        Assert.False(da.AsSpan(64).SequenceEqual(db.AsSpan(64)));
    }

    [Fact]
    public void Parses_the_scheme_case_insensitively()
    {
        Assert.True(VpnTokens.TryDecodeLdapValue("{ssha512}" + SlappasswdValue["{SSHA512}".Length..], out var stored));
        Assert.True(VpnTokens.Matches(Encoding.UTF8.GetBytes(SlappasswdSecret), stored));
    }

    [Theory]
    [InlineData("")]
    [InlineData("nvt_plaintext")]
    [InlineData("{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=")]
    [InlineData("{SHA512}7iaw3Ur350mqGo7jwQrpkj9hiYB3Lkc/iBml1JQODbJ6wYX4oOHV+E+IvIh/1nsUNzLDBMxfqa2Ob1f1ACio/w==")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("{SSHA512}")]
    [InlineData("{SSHA512}not base64!")]
    [InlineData("{SSHA512}AAAA=AAA")]
    [InlineData(" {SSHA512}ZZHY1dnzl3vZfJ11KxisPxtStu0FS/srkGuEEBWxjbti")]
    public void Refuses_values_that_are_not_ssha512(string stored)
    {
        Assert.False(VpnTokens.TryDecodeLdapValue(stored, out var decoded));
        Assert.Empty(decoded);
    }

    [Fact]
    public void Refuses_an_ssha512_value_without_salt()
    {
        var digestOnly = "{SSHA512}" + Convert.ToBase64String(SHA512.HashData("nvt_x"u8));

        Assert.False(VpnTokens.TryDecodeLdapValue(digestOnly, out _));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "my")]
    [InlineData("fo", "mzxq")]
    [InlineData("foo", "mzxw6")]
    [InlineData("foob", "mzxw6yq")]
    [InlineData("fooba", "mzxw6ytb")]
    [InlineData("foobar", "mzxw6ytboi")]
    public void Base32_matches_rfc4648_vectors_in_lower_case_without_padding(string input, string expected)
    {
        Assert.Equal(expected, Base32.Encode(Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public void Base32_encodes_all_bits()
    {
        Assert.Equal(new string('7', 32), Base32.Encode(Enumerable.Repeat((byte)0xFF, 20).ToArray()));
        Assert.Equal(new string('a', 32), Base32.Encode(new byte[20]));
    }
}
