using System.Security.Cryptography;
using System.Text;

namespace Neutrinet.RadiusBackend.Security;

/// <summary>A VPN token's secret (shown once) and what is stored of it.</summary>
public sealed record IssuedVpnToken(string TokenId, string Secret, string LdapPasswordValue);

/// <summary>
/// VPN tokens: 160 random bits behind a recognisable prefix, stored as <c>{SSHA512}</c> which slapd's pw-sha2 module
/// understands. A fast salted hash is sound here because the secret is random, not chosen by a human.
/// </summary>
public static class VpnTokens
{
    public const string Prefix = "nvt_";
    public const string LdapScheme = "{SSHA512}";
    const int SecretBytes = 20;
    const int SaltBytes = 16;
    const int DigestBytes = 64;

    public static IssuedVpnToken Issue()
    {
        var tokenId = "t" + Base32.Encode(RandomNumberGenerator.GetBytes(8));
        var secret = Prefix + Base32.Encode(RandomNumberGenerator.GetBytes(SecretBytes));
        return new IssuedVpnToken(tokenId, secret, HashForLdap(secret));
    }

    public static string HashForLdap(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var digest = Digest(Encoding.UTF8.GetBytes(secret), salt);
        return LdapScheme + Convert.ToBase64String([.. digest, .. salt]);
    }

    /// <summary>Decodes a stored <c>{SSHA512}</c> value (digest then salt); anything else is not a token hash.</summary>
    public static bool TryDecodeLdapValue(string stored, out byte[] digestThenSalt)
    {
        digestThenSalt = [];
        if (!stored.StartsWith(LdapScheme, StringComparison.OrdinalIgnoreCase)) return false;
        byte[] raw;
        try { raw = Convert.FromBase64String(stored[LdapScheme.Length..]); }
        catch (FormatException) { return false; }
        if (raw.Length <= DigestBytes) return false;
        digestThenSalt = raw;
        return true;
    }

    public const int TagBytes = SipHash.TagBytes;

    /// <summary>Drawn at start-up and never stored: a tag means nothing outside this process.</summary>
    static readonly byte[] TagKey = RandomNumberGenerator.GetBytes(SipHash.KeyBytes);

    /// <summary>
    /// The keyed tag (SipHash-2-4-128 under this process's key) by which a cached member remembers a secret that
    /// already matched its SSHA512. Like the SSHA512 itself it reveals nothing usable of a 160-bit random secret; unlike
    /// it, a tag cannot be forged or checked without the key, which never leaves the process.
    /// </summary>
    public static void Tag(ReadOnlySpan<byte> presentedUtf8, Span<byte> tag) => SipHash.Hash128(TagKey, presentedUtf8, tag);

    /// <summary>Constant-time check of a presented secret against one decoded <c>{SSHA512}</c> value.</summary>
    public static bool Matches(ReadOnlySpan<byte> presentedUtf8, ReadOnlySpan<byte> digestThenSalt)
    {
        if (digestThenSalt.Length <= DigestBytes) return false;
        Span<byte> actual = stackalloc byte[DigestBytes];
        Digest(presentedUtf8, digestThenSalt[DigestBytes..], actual);
        return CryptographicOperations.FixedTimeEquals(actual, digestThenSalt[..DigestBytes]);
    }

    static byte[] Digest(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> salt)
    {
        var output = new byte[DigestBytes];
        Digest(secret, salt, output);
        return output;
    }

    static void Digest(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> salt, Span<byte> output)
    {
        // slapd's SSHA512 is SHA512(secret || salt); concatenate without allocating for the usual sizes.
        var length = secret.Length + salt.Length;
        Span<byte> buffer = length <= 512 ? stackalloc byte[length] : new byte[length];
        secret.CopyTo(buffer);
        salt.CopyTo(buffer[secret.Length..]);
        SHA512.HashData(buffer, output);
    }
}

/// <summary>Lower-case RFC 4648 base32 without padding: unambiguous to read aloud and safe in DNs and URLs.</summary>
public static class Base32
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
