using System.Buffers;
using System.Globalization;
using System.Text;

namespace Neutrinet.RadiusBackend.Radius;

/// <summary>
/// Turns a RADIUS User-Name into the directory's login key (the email, trimmed, NFC, lower-case), and refuses names
/// no member can have: empty, longer than a RADIUS attribute, or carrying control or invisible format characters
/// (zero-width spaces, bidi overrides) that would make two different strings look alike.
/// </summary>
public static class UserNames
{
    public const int MaxLength = 253;
    static readonly SearchValues<char> NotInEmail = SearchValues.Create(" \t\"(),:;<>[\\]*");

    public enum Verdict { Ok, Invalid, NotAnEmail }

    public static Verdict Normalize(string raw, out string normalized)
    {
        normalized = "";
        var trimmed = raw.Trim();
        if (trimmed.Length == 0 || Encoding.UTF8.GetByteCount(trimmed) > MaxLength) return Verdict.Invalid;
        var ascii = true;
        foreach (var c in trimmed)
        {
            if (c < 0x20 || c == 0x7F) return Verdict.Invalid;
            if (c >= 0x80)
            {
                ascii = false;
                var category = char.GetUnicodeCategory(c);
                if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                    or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator)
                {
                    if (category != UnicodeCategory.Surrogate || !HasValidSurrogates(trimmed)) return Verdict.Invalid;
                }
            }
        }
        if (!ascii)
        {
            if (!trimmed.IsNormalized(NormalizationForm.FormC)) trimmed = trimmed.Normalize(NormalizationForm.FormC);
        }
        normalized = ascii ? LowerAscii(trimmed) : trimmed.ToLowerInvariant();
        return LooksLikeEmail(normalized) ? Verdict.Ok : Verdict.NotAnEmail;
    }

    /// <summary>One '@', a non-empty local part, a dotted domain, and none of the characters that have no business in one.</summary>
    public static bool LooksLikeEmail(string s)
    {
        var at = s.IndexOf('@');
        if (at <= 0 || at != s.LastIndexOf('@') || at == s.Length - 1) return false;
        var domain = s.AsSpan(at + 1);
        if (domain.IndexOf('.') <= 0 || domain[^1] == '.' || domain.Contains("..", StringComparison.Ordinal)) return false;
        return s.AsSpan().IndexOfAny(NotInEmail) < 0;
    }

    static bool HasValidSurrogates(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(s[i])) return false;
        }
        return true;
    }

    static string LowerAscii(string s)
    {
        foreach (var c in s)
            if (c is >= 'A' and <= 'Z') return s.ToLowerInvariant();
        return s;
    }
}
