using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Neutrinet.RadiusBackend.Directory;

namespace Neutrinet.RadiusBackend.Caching;

/// <summary>
/// A member's static IPv4 address and IPv6 prefix in 24 bytes instead of two strings. Only values that format back to
/// exactly the stored text are held this way, so a reply carries the same bytes as the directory.
/// </summary>
public readonly struct FramedAddresses
{
    /// <summary>The longest text either address formats to ("ffff:...:255.255.255.255/128").</summary>
    public const int MaxTextLength = 50;

    // Two halves rather than a UInt128, whose 16-byte alignment would pad every cached member.
    readonly ulong _ipv6High;
    readonly ulong _ipv6Low;
    readonly uint _ipv4;
    readonly bool _hasIpv4;
    readonly byte _ipv6LengthPlusOne;

    FramedAddresses(bool hasIpv4, uint ipv4, ulong ipv6High, ulong ipv6Low, byte ipv6LengthPlusOne)
    {
        _hasIpv4 = hasIpv4;
        _ipv4 = ipv4;
        _ipv6High = ipv6High;
        _ipv6Low = ipv6Low;
        _ipv6LengthPlusOne = ipv6LengthPlusOne;
    }

    public bool HasIpv4 => _hasIpv4;
    public bool HasIpv6Prefix => _ipv6LengthPlusOne != 0;

    /// <summary>False when the profile has routes or an address that would not format back to the same text.</summary>
    public static bool TryCreate(RadiusProfile profile, out FramedAddresses addresses)
    {
        addresses = default;
        if (profile.FramedRoutes.Count > 0) return false;

        var hasIpv4 = false;
        uint ipv4 = 0;
        if (profile.FramedIpAddress is { } ipText)
        {
            if (!IPAddress.TryParse(ipText, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork) return false;
            Span<byte> raw = stackalloc byte[4];
            ip.TryWriteBytes(raw, out _);
            hasIpv4 = true;
            ipv4 = BinaryPrimitives.ReadUInt32BigEndian(raw);
        }

        ulong ipv6High = 0, ipv6Low = 0;
        byte ipv6LengthPlusOne = 0;
        if (profile.FramedIpv6Prefix is { } prefixText)
        {
            if (!IPNetwork.TryParse(prefixText, out var prefix) || prefix.BaseAddress.AddressFamily != AddressFamily.InterNetworkV6)
                return false;
            Span<byte> raw = stackalloc byte[16];
            prefix.BaseAddress.TryWriteBytes(raw, out _);
            ipv6High = BinaryPrimitives.ReadUInt64BigEndian(raw);
            ipv6Low = BinaryPrimitives.ReadUInt64BigEndian(raw[8..]);
            ipv6LengthPlusOne = (byte)(prefix.PrefixLength + 1);
        }

        var candidate = new FramedAddresses(hasIpv4, ipv4, ipv6High, ipv6Low, ipv6LengthPlusOne);
        Span<byte> text = stackalloc byte[MaxTextLength];
        if (hasIpv4 && !SameText(text[..candidate.WriteIpv4(text)], profile.FramedIpAddress!)) return false;
        if (ipv6LengthPlusOne != 0 && !SameText(text[..candidate.WriteIpv6Prefix(text)], profile.FramedIpv6Prefix!)) return false;
        addresses = candidate;
        return true;
    }

    /// <summary>Writes the IPv4 address as UTF-8 dotted decimal; returns the byte count.</summary>
    public int WriteIpv4(Span<byte> destination)
    {
        var written = 0;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            if (shift != 24) destination[written++] = (byte)'.';
            ((byte)(_ipv4 >> shift)).TryFormat(destination[written..], out var digits);
            written += digits;
        }
        return written;
    }

    /// <summary>
    /// Writes the IPv6 prefix as UTF-8 "address/length" in RFC 5952 form (lower-case hex, no leading zeros, the
    /// longest run of two or more zero groups as "::", the first of equal runs); returns the byte count. Written here
    /// rather than through <see cref="IPAddress"/>, which allocates per login; an address that IPAddress would print
    /// with an embedded IPv4 part formats differently, so <see cref="TryCreate"/> leaves it to the stored text.
    /// </summary>
    public int WriteIpv6Prefix(Span<byte> destination)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (var i = 0; i < 4; i++)
        {
            groups[i] = (ushort)(_ipv6High >> (48 - 16 * i));
            groups[4 + i] = (ushort)(_ipv6Low >> (48 - 16 * i));
        }
        int zerosAt = -1, zerosLength = 0;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0) { i++; continue; }
            var start = i;
            while (i < 8 && groups[i] == 0) i++;
            if (i - start > zerosLength && i - start >= 2) (zerosAt, zerosLength) = (start, i - start);
        }
        var written = 0;
        for (var i = 0; i < 8; i++)
        {
            if (i == zerosAt)
            {
                destination[written++] = (byte)':';
                destination[written++] = (byte)':';
                i += zerosLength - 1;
                continue;
            }
            // A group right after "::" has its separator already.
            if (i > 0 && i != zerosAt + zerosLength) destination[written++] = (byte)':';
            groups[i].TryFormat(destination[written..], out var digits, "x");
            written += digits;
        }
        destination[written++] = (byte)'/';
        ((byte)(_ipv6LengthPlusOne - 1)).TryFormat(destination[written..], out var lengthDigits);
        return written + lengthDigits;
    }

    static bool SameText(ReadOnlySpan<byte> utf8, string text)
    {
        if (utf8.Length != text.Length) return false;
        for (var i = 0; i < utf8.Length; i++)
            if (utf8[i] != text[i]) return false;
        return true;
    }
}
