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
    static readonly SearchValues<char> AsciiInvisible = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007F']);

    public enum Verdict { Ok, Invalid, NotAnEmail }

    public static Verdict Normalize(string raw, out string normalized)
    {
        normalized = "";
        var trimmed = raw.Trim();
        if (trimmed.Length == 0) return Verdict.Invalid;
        if (Ascii.IsValid(trimmed))
        {
            // The usual name, in a few vectorised passes: one byte per char, and only C0 controls and DEL are invisible.
            if (trimmed.Length > MaxLength || trimmed.AsSpan().IndexOfAny(AsciiInvisible) >= 0) return Verdict.Invalid;
            normalized = LowerAscii(trimmed);
            return LooksLikeEmail(normalized) ? Verdict.Ok : Verdict.NotAnEmail;
        }
        // Not ASCII: every scalar is classified, then the name is composed (NFC) and lower-cased.
        if (Encoding.UTF8.GetByteCount(trimmed) > MaxLength) return Verdict.Invalid;
        for (var i = 0; i < trimmed.Length;)
        {
            // Classify whole scalars: invisible tag and format characters also live outside the BMP.
            if (Rune.DecodeFromUtf16(trimmed.AsSpan(i), out var rune, out var used) != OperationStatus.Done) return Verdict.Invalid;
            i += used;
            if (rune.Value < 0x20 || rune.Value == 0x7F) return Verdict.Invalid;
            if (rune.Value < 0x80) continue;
            var category = Rune.GetUnicodeCategory(rune);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                if (!IsCombiningAfterBase(i - used, trimmed)) return Verdict.Invalid;
            }
            else if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator)
            {
                return Verdict.Invalid;
            }
        }
        if (!trimmed.IsNormalized(NormalizationForm.FormC)) trimmed = trimmed.Normalize(NormalizationForm.FormC);
        normalized = trimmed.ToLowerInvariant();
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

    /// <summary>A combining mark is fine after a letter (NFC folds most of them); on its own it hides in plain sight.</summary>
    static bool IsCombiningAfterBase(int index, string s) => index > 0 && char.IsLetter(s[index - 1]);

    static string LowerAscii(string s) => s.AsSpan().ContainsAnyInRange('A', 'Z') ? s.ToLowerInvariant() : s;
}
