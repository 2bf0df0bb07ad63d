using System.Reflection;

namespace Neutrinet.RadiusBackend.Auth.SimpleForm;

/// <summary>At least 10 characters, not the email, not a commonly used password (list shipped beside this file).</summary>
public static class PasswordPolicy
{
    public const int MinLength = 10;
    public const int MaxLength = 256;

    static readonly HashSet<string> Common = LoadCommon();

    /// <returns>null when acceptable, else the reason.</returns>
    public static string? Check(string? password, string email)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinLength) return $"The password must have at least {MinLength} characters.";
        if (password.Length > MaxLength) return $"The password must have at most {MaxLength} characters.";
        if (string.Equals(password.Trim(), email, StringComparison.OrdinalIgnoreCase)
            || string.Equals(password.Trim(), email.Split('@')[0], StringComparison.OrdinalIgnoreCase))
            return "The password must not be your email address.";
        if (Common.Contains(password.Trim())) return "This password is too common; choose another.";
        if (password.Distinct().Count() < 4) return "The password repeats too few characters.";
        return null;
    }

    static HashSet<string> LoadCommon()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Neutrinet.RadiusBackend.common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is not embedded");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && line[0] != '#') set.Add(line.Trim());
        return set;
    }
}
