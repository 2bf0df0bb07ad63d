using System.Text;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Radius;
using Neutrinet.RadiusBackend.Security;
using static Neutrinet.RadiusBackend.UnitTests.Fixtures;

namespace Neutrinet.RadiusBackend.UnitTests;

/// <summary>
/// Hardening found by review: each of these failed against an earlier src (reasons below) and guards its fix.
/// </summary>
public class HardeningRegressionTests
{
    const string NfcBug = "src bug: InvariantGlobalization=true makes string.Normalize/IsNormalized no-ops, so UserNames.Normalize never applies NFC";
    const string SupplementaryBug = "src bug: UserNames.Normalize only classifies UTF-16 code units, so format characters outside the BMP pass";
    const string Utf8Bug = "src bug: RlmRequest.TryParse lets InvalidOperationException from Utf8JsonReader.GetString escape (invalid UTF-8 / lone surrogate)";
    const string Argon2Bug = "src bug: PasswordHasher.TryParse accepts m/t/p that Konscious Argon2 refuses, so VerifyAsync throws instead of returning false";
    const string EmptyPasswordBug = "src bug: Konscious Argon2 throws ArgumentException for an empty password, and PasswordHasher passes it through";
    const string C1Bug = "src bug: LdapEscaping.FilterValue escapes U+0080..U+009F as one octet (\\85) instead of their UTF-8 octets (\\c2\\85)";

    [Fact]
    public void Normalizes_case_and_nfc()
    {
        // "Å" as A + COMBINING RING ABOVE must become the same key as precomposed "å".
        Assert.Equal(UserNames.Verdict.Ok, UserNames.Normalize("A\u030ALICE@example.org", out var decomposed));
        Assert.Equal(UserNames.Verdict.Ok, UserNames.Normalize("\u00E5lice@example.org", out var precomposed));
        Assert.Equal(precomposed, decomposed);
    }

    [Theory]
    [InlineData("\U000E0041")] // TAG LATIN CAPITAL LETTER A (invisible, Format)
    [InlineData("\U000E0001")] // LANGUAGE TAG
    [InlineData("\U0001D173")] // MUSICAL SYMBOL BEGIN BEAM (Format)
    [InlineData("\U000F0000")] // supplementary private use
    [InlineData("\U0001FFFF")] // noncharacter / unassigned
    public void Rejects_invisible_characters_outside_the_bmp(string hidden)
    {
        Assert.Equal(UserNames.Verdict.Invalid, UserNames.Normalize("alice" + hidden + "@example.org", out _));
    }

    [Theory]
    [InlineData("User-Name")]
    [InlineData("NAS-Port")]
    public void Refuses_invalid_utf8_in_a_value_without_throwing(string attribute)
    {
        byte[] body = [.. Encoding.UTF8.GetBytes($$"""{"{{attribute}}":{"type":"string","value":["""), .. "\"al"u8, 0xFF, 0xFE, .. "ice\"]}}"u8];

        Refused(body);
    }

    [Theory]
    [InlineData("""{"User-Name":{"type":"string","value":["\ud800alice@example.org"]}}""")]
    [InlineData("""{"User-Password":{"type":"string","value":["x\udc00"]}}""")]
    [InlineData("""{"Acct-Input-Octets":{"type":"integer","value":["\ud800"]}}""")]
    public void Refuses_lone_surrogate_escapes_without_throwing(string body)
    {
        Refused(body);
    }

    [Theory]
    [InlineData("{ARGON2}$argon2id$v=19$m=1,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8,t=1,p=8$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=1,p=100000$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    public async Task Verify_is_false_for_argon2_parameters_it_cannot_compute(string stored)
    {
        using var hasher = new PasswordHasher(Options.Create(new PasswordHashingOptions { MemoryKib = 8192, Iterations = 1 }));

        Assert.False(await hasher.VerifyAsync("correct horse battery staple", stored, CancellationToken.None));
    }

    [Fact]
    public async Task Verify_is_false_for_an_empty_password_and_an_empty_password_is_refused()
    {
        using var hasher = new PasswordHasher(Options.Create(new PasswordHashingOptions { MemoryKib = 8192, Iterations = 1 }));
        var stored = await hasher.HashForLdapAsync("pw", CancellationToken.None);

        Assert.False(await hasher.VerifyAsync("", stored, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => hasher.HashForLdapAsync("", CancellationToken.None));
    }

    [Theory]
    [InlineData("\u0085", @"\c2\85")]
    [InlineData("\u009F", @"\c2\9f")]
    public void Escapes_c1_controls_as_utf8_octets(string value, string expected)
    {
        Assert.Equal(expected, LdapEscaping.FilterValue(value));
    }
}
