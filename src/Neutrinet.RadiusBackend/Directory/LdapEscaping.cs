using System.Text;

namespace Neutrinet.RadiusBackend.Directory;

/// <summary>The only place LDAP filters and DNs are built from data.</summary>
public static class LdapEscaping
{
    /// <summary>RFC 4515 assertion value escaping: <c>* ( ) \ NUL</c> and every control character become <c>\xx</c>.</summary>
    public static string FilterValue(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '*' or '(' or ')' or '\\' || c < 0x20 || c == 0x7F)
                sb.Append('\\').Append(((int)c).ToString("x2"));
            else if (char.IsControl(c))
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString())) sb.Append('\\').Append(b.ToString("x2"));
            }
            else
                sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>RFC 4514 attribute value escaping for building DNs.</summary>
    public static string DnValue(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var special = c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' or '='
                || (i == 0 && (c is ' ' or '#'))
                || (i == value.Length - 1 && c == ' ');
            if (c == '\0') sb.Append("\\00");
            else if (special) sb.Append('\\').Append(c);
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
