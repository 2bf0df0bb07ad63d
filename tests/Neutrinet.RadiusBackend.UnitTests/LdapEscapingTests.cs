using System.Text.RegularExpressions;
using Neutrinet.RadiusBackend.Directory;

namespace Neutrinet.RadiusBackend.UnitTests;

public partial class LdapEscapingTests
{
    [Fact]
    public void Escapes_filter_injection_input()
    {
        Assert.Equal(@"\2a\29\28uid=\2a", LdapEscaping.FilterValue("*)(uid=*"));
    }

    [Theory]
    [InlineData("cn=tabc,uid=m1,ou=people,dc=x", "uid=m1,ou=people,dc=x", true)]
    [InlineData("CN=tabc,UID=M1,ou=People,dc=x", "uid=m1,ou=people,dc=x", true)]
    [InlineData(@"cn=a\,b,uid=m1,ou=people,dc=x", "uid=m1,ou=people,dc=x", true)]
    [InlineData("cn=tabc,cn=deeper,uid=m1,ou=people,dc=x", "uid=m1,ou=people,dc=x", false)]
    [InlineData("uid=m1,ou=people,dc=x", "uid=m1,ou=people,dc=x", false)]
    [InlineData("cn=tabc,xuid=m1,ou=people,dc=x", "uid=m1,ou=people,dc=x", false)]
    [InlineData("cn=tabc,uid=m10,ou=people,dc=x", "uid=m1,ou=people,dc=x", false)]
    [InlineData(",uid=m1,ou=people,dc=x", "uid=m1,ou=people,dc=x", false)]
    public void A_token_belongs_to_a_member_only_one_rdn_below_it(string dn, string memberDn, bool expected)
    {
        Assert.Equal(expected, MemberDirectory.IsChildOf(dn, memberDn));
    }

    [Theory]
    [InlineData("alice@example.org", "alice@example.org")]
    [InlineData("*", @"\2a")]
    [InlineData("(", @"\28")]
    [InlineData(")", @"\29")]
    [InlineData("\\", @"\5c")]
    [InlineData("\0", @"\00")]
    [InlineData("a\nb", @"a\0ab")]
    [InlineData("\u007F", @"\7f")]
    [InlineData(@"\2a", @"\5c2a")]
    [InlineData("alice)(|(objectClass=*", @"alice\29\28|\28objectClass=\2a")]
    [InlineData("x))(&(1=0", @"x\29\29\28&\281=0")]
    [InlineData("\u00E5lice", "\u00E5lice")]
    [InlineData("", "")]
    public void Escapes_rfc4515_assertion_values(string value, string expected)
    {
        Assert.Equal(expected, LdapEscaping.FilterValue(value));
    }

    [Theory]
    [InlineData("*)(uid=*")]
    [InlineData("*)(|(mail=*))(objectClass=*")]
    [InlineData("\\\\\\*\0\0((()))")]
    [InlineData("a\\")]
    [InlineData("\u0001\u001F\u007F")]
    public void Escaped_filter_values_contain_no_live_metacharacters(string hostile)
    {
        var escaped = LdapEscaping.FilterValue(hostile);

        Assert.DoesNotContain('*', escaped);
        Assert.DoesNotContain('(', escaped);
        Assert.DoesNotContain(')', escaped);
        Assert.DoesNotContain('\0', escaped);
        // Every backslash starts a two-hex-digit escape.
        Assert.Matches(ValidFilterEscapes(), escaped);
    }

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("a,b", @"a\,b")]
    [InlineData("a+b", @"a\+b")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData(@"a\b", @"a\\b")]
    [InlineData("<a>", @"\<a\>")]
    [InlineData("a;b", @"a\;b")]
    [InlineData("a=b", @"a\=b")]
    [InlineData(" lead", @"\ lead")]
    [InlineData("trail ", @"trail\ ")]
    [InlineData("in side", "in side")]
    [InlineData(" ", @"\ ")]
    [InlineData("#hash", @"\#hash")]
    [InlineData("mid#hash", "mid#hash")]
    [InlineData("a\0b", @"a\00b")]
    [InlineData("uid=admin,ou=people,dc=example", @"uid\=admin\,ou\=people\,dc\=example")]
    [InlineData("\u00E5lice", "\u00E5lice")]
    public void Escapes_rfc4514_dn_values(string value, string expected)
    {
        Assert.Equal(expected, LdapEscaping.DnValue(value));
    }

    [GeneratedRegex(@"^([^\\]|\\[0-9a-f]{2})*$")]
    private static partial Regex ValidFilterEscapes();
}
