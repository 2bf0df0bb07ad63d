using Neutrinet.RadiusBackend.Radius;
using static Neutrinet.RadiusBackend.Radius.UserNames;

namespace Neutrinet.RadiusBackend.UnitTests;

public class UserNamesTests
{
    [Theory]
    [InlineData("alice@example.org", "alice@example.org")]
    [InlineData("Alice@Example.ORG", "alice@example.org")]
    [InlineData("  alice@example.org\t", "alice@example.org")]
    [InlineData("\u00A0alice@example.org\u3000", "alice@example.org")]
    [InlineData("alice.o'brien+vpn@mail.example.org", "alice.o'brien+vpn@mail.example.org")]
    [InlineData("\u00C5LICE@EXAMPLE.ORG", "\u00E5lice@example.org")]
    [InlineData("\u00E5lice@example.org", "\u00E5lice@example.org")]
    [InlineData("\u0394\u0397\u039C\u0397\u03A4\u03A1\u0397\u03A3@EXAMPLE.GR", "\u03B4\u03B7\u03BC\u03B7\u03C4\u03C1\u03B7\u03C3@example.gr")]
    [InlineData("al\U0001F600ice@example.org", "al\U0001F600ice@example.org")]
    public void Normalizes_case_and_surrounding_whitespace(string raw, string expected)
    {
        Assert.Equal(Verdict.Ok, Normalize(raw, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("\u200B")] // zero width space
    [InlineData("\u200C")] // zero width non-joiner
    [InlineData("\u200D")] // zero width joiner
    [InlineData("\u2060")] // word joiner
    [InlineData("\uFEFF")] // BOM / zero width no-break space
    [InlineData("\u00AD")] // soft hyphen
    [InlineData("\u061C")] // arabic letter mark
    [InlineData("\u200E")] // left-to-right mark
    [InlineData("\u200F")] // right-to-left mark
    [InlineData("\u202A")] // left-to-right embedding
    [InlineData("\u202D")] // left-to-right override
    [InlineData("\u202E")] // right-to-left override
    [InlineData("\u2066")] // left-to-right isolate
    [InlineData("\u2069")] // pop directional isolate
    [InlineData("\u00A0")] // no-break space inside the name
    [InlineData("\u2028")] // line separator
    [InlineData("\u2029")] // paragraph separator
    [InlineData("\u0085")] // C1 next line
    [InlineData("\u009B")] // C1 CSI
    [InlineData("\uE000")] // private use
    [InlineData("\u0378")] // unassigned
    public void Rejects_zero_width_and_bidi_characters(string hidden)
    {
        Assert.Equal(Verdict.Invalid, Normalize("al" + hidden + "ice@example.org", out var normalized));
        Assert.Equal("", normalized);
    }

    [Fact]
    public void Rejects_lone_and_reversed_surrogates()
    {
        // Built in code, not [InlineData]: xunit's theory serialisation would turn lone surrogates into U+FFFD.
        string[] broken = ["\uD800", "\uDC00", "\uDC00\uD800", "\uD83D", "\U0001F600\uD800", "\uDE00\U0001F600"];
        foreach (var hidden in broken)
        {
            Assert.Equal(Verdict.Invalid, Normalize("al" + hidden + "ice@example.org", out _));
            Assert.Equal(Verdict.Invalid, Normalize("alice@example.org" + hidden, out _));
        }
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("alice@example.org\0")]
    [InlineData("\0alice@example.org")]
    [InlineData("al\0ice@example.org")]
    [InlineData("alice@example.org\0.evil.org")]
    [InlineData("al\u0001ice@example.org")]
    [InlineData("al\u001Bice@example.org")]
    [InlineData("al\u007Fice@example.org")]
    [InlineData("alice\r\n@example.org")]
    [InlineData("al\tice@example.org")]
    public void Handles_nul_and_control_characters_in_user_name(string raw)
    {
        Assert.Equal(Verdict.Invalid, Normalize(raw, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\r\n")]
    [InlineData("\u00A0\u2003")]
    public void Rejects_empty_and_blank_names(string raw)
    {
        Assert.Equal(Verdict.Invalid, Normalize(raw, out _));
    }

    [Fact]
    public void Accepts_a_name_of_exactly_the_radius_limit()
    {
        var name = new string('a', MaxLength - "@example.org".Length) + "@example.org";
        Assert.Equal(253, name.Length);

        Assert.Equal(Verdict.Ok, Normalize(name, out var normalized));
        Assert.Equal(name, normalized);
    }

    [Theory]
    [InlineData(254)]
    [InlineData(300)]
    [InlineData(100_000)]
    public void Rejects_names_longer_than_a_radius_attribute(int length)
    {
        var name = new string('a', length - "@example.org".Length) + "@example.org";

        Assert.Equal(Verdict.Invalid, Normalize(name, out _));
    }

    [Fact]
    public void Counts_the_limit_in_utf8_bytes_not_chars()
    {
        // 121 two-byte chars + 12 ASCII: 133 chars but 254 bytes.
        var name = new string('\u00E5', 121) + "@example.org";
        Assert.Equal(254, System.Text.Encoding.UTF8.GetByteCount(name));

        Assert.Equal(Verdict.Invalid, Normalize(name, out _));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*)(uid=*")]
    [InlineData("*@example.org")]
    [InlineData("alice*@example.org")]
    [InlineData("alice)(|(mail=*@example.org")]
    [InlineData("alice@example.org)(objectClass=*")]
    [InlineData("al(ice@example.org")]
    [InlineData("al\\ice@example.org")]
    [InlineData("al\\2aice@example.org")]
    [InlineData("\"alice\"@example.org")]
    [InlineData("alice,ou=people@example.org")]
    [InlineData("alice;x@example.org")]
    [InlineData("<alice>@example.org")]
    [InlineData("alice@[10.0.0.1]")]
    [InlineData("alice:x@example.org")]
    public void Treats_filter_metacharacters_as_not_an_email(string raw)
    {
        Assert.Equal(Verdict.NotAnEmail, Normalize(raw, out _));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("@example.org")]
    [InlineData("alice@")]
    [InlineData("alice@example")]
    [InlineData("alice@@example.org")]
    [InlineData("a@b@example.org")]
    [InlineData("alice@.example.org")]
    [InlineData("alice@example.org.")]
    [InlineData("alice@example..org")]
    [InlineData("alice smith@example.org")]
    [InlineData("DOMAIN\\alice")]
    public void Refuses_names_that_are_not_email_shaped(string raw)
    {
        Assert.Equal(Verdict.NotAnEmail, Normalize(raw, out _));
    }

    [Fact]
    public void Reports_the_normalized_form_even_when_not_an_email()
    {
        Assert.Equal(Verdict.NotAnEmail, Normalize("  ALICE ", out var normalized));
        Assert.Equal("alice", normalized);
    }

    [Theory]
    [InlineData("alice@example.org", true)]
    [InlineData("a@b.c", true)]
    [InlineData("a.b@sub.example.org", true)]
    [InlineData("a@b", false)]
    [InlineData("a@b.", false)]
    [InlineData("a@.b", false)]
    [InlineData("@b.c", false)]
    [InlineData("a@b..c", false)]
    [InlineData("a@@b.c", false)]
    [InlineData("a b@b.c", false)]
    public void Recognises_email_shape(string candidate, bool expected)
    {
        Assert.Equal(expected, LooksLikeEmail(candidate));
    }
}
