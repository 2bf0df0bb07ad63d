using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Neutrinet.Bench.LoadGen;

/// <summary>RADIUS packet codes and attribute numbers used here (RFC 2865, 2866, 2869).</summary>
internal static class Rad
{
    public const byte AccessRequest = 1, AccessAccept = 2, AccessReject = 3, AccountingRequest = 4, AccountingResponse = 5;

    public const byte UserName = 1, UserPassword = 2, NasIpAddress = 4, NasPort = 5, ServiceType = 6, FramedProtocol = 7,
        FramedIpAddress = 8, CallingStationId = 31, NasIdentifier = 32, AcctStatusType = 40, AcctInputOctets = 42,
        AcctOutputOctets = 43, AcctSessionId = 44, AcctSessionTime = 46, AcctInputGigawords = 52, AcctOutputGigawords = 53,
        NasPortType = 61;

    public const int ServiceTypeOutboundUser = 5, NasPortTypeVirtual = 5, FramedProtocolPpp = 1;
    public const int AcctStart = 1, AcctStop = 2;
    public const int HeaderLength = 20;
    public const int MaxPacket = 4096;
}

/// <summary>One member as the load generator sends it: its login (mail) and its VPN token secret.</summary>
internal sealed class Member(string email, string secret, int index)
{
    public byte[] Email { get; } = Encoding.UTF8.GetBytes(email);
    public byte[] Secret { get; } = Encoding.UTF8.GetBytes(secret);
    public int Index { get; } = index;
    public string EmailText { get; } = email;

    /// <summary>members.tsv: email TAB secret [TAB anything]; '#' lines are comments.</summary>
    public static Member[] Load(string path)
    {
        var list = new List<Member>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split('\t');
            if (parts.Length < 2) throw new FormatException($"{path}: expected email<TAB>secret, got '{line}'");
            list.Add(new Member(parts[0], parts[1], list.Count));
        }
        if (list.Count == 0) throw new FormatException($"{path}: no members");
        return [.. list];
    }
}

/// <summary>
/// Builds requests shaped like OpenVPN radiusplugin's, and checks answers. One instance per thread (scratch buffers).
/// </summary>
internal sealed class PacketCodec(byte[] secret)
{
    readonly byte[] _secret = secret;
    readonly byte[] _scratch = new byte[Rad.MaxPacket + 256];
    static readonly byte[] NasIdentifier = "OpenVpn"u8.ToArray();

    /// <summary>Writes an Access-Request (PAP) into <paramref name="packet"/>; returns its length.</summary>
    public int AccessRequest(Span<byte> packet, byte id, ReadOnlySpan<byte> authenticator, Member member, int nasPort, long session)
    {
        packet[0] = Rad.AccessRequest;
        packet[1] = id;
        authenticator.CopyTo(packet[4..20]);
        var p = Rad.HeaderLength;
        p = Attr(packet, p, Rad.UserName, member.Email);
        p = HiddenPassword(packet, p, member.Secret, authenticator);
        p = AttrIp(packet, p, Rad.NasIpAddress, 127, 0, 0, 1);
        p = AttrInt(packet, p, Rad.NasPort, nasPort);
        p = AttrInt(packet, p, Rad.ServiceType, Rad.ServiceTypeOutboundUser);
        p = CallingStation(packet, p, member.Index);
        p = Attr(packet, p, Rad.NasIdentifier, NasIdentifier);
        p = AttrInt(packet, p, Rad.NasPortType, Rad.NasPortTypeVirtual);
        p = SessionId(packet, p, session);
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..4], (ushort)p);
        return p;
    }

    /// <summary>Writes an Accounting-Request (Start or Stop, radiusplugin's attributes) and signs it (RFC 2866).</summary>
    public int AccountingRequest(Span<byte> packet, byte id, Member member, int nasPort, long session, int status, int sessionTime)
    {
        packet[0] = Rad.AccountingRequest;
        packet[1] = id;
        packet[4..20].Clear();
        var p = Rad.HeaderLength;
        p = Attr(packet, p, Rad.UserName, member.Email);
        p = AttrIp(packet, p, Rad.NasIpAddress, 127, 0, 0, 1);
        p = AttrInt(packet, p, Rad.NasPort, nasPort);
        p = AttrInt(packet, p, Rad.ServiceType, Rad.ServiceTypeOutboundUser);
        p = CallingStation(packet, p, member.Index);
        p = Attr(packet, p, Rad.NasIdentifier, NasIdentifier);
        p = AttrInt(packet, p, Rad.NasPortType, Rad.NasPortTypeVirtual);
        p = SessionId(packet, p, session);
        p = AttrInt(packet, p, Rad.FramedProtocol, Rad.FramedProtocolPpp);
        var i = member.Index;
        p = AttrIp(packet, p, Rad.FramedIpAddress, 10, (byte)(8 + (i >> 16 & 7)), (byte)(i >> 8), (byte)i);
        p = AttrInt(packet, p, Rad.AcctStatusType, status);
        if (status == Rad.AcctStop)
        {
            p = AttrInt(packet, p, Rad.AcctInputOctets, 123_456_789);
            p = AttrInt(packet, p, Rad.AcctOutputOctets, 987_654_321);
            p = AttrInt(packet, p, Rad.AcctInputGigawords, 0);
            p = AttrInt(packet, p, Rad.AcctOutputGigawords, 1);
            p = AttrInt(packet, p, Rad.AcctSessionTime, sessionTime);
        }
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..4], (ushort)p);
        // Request Authenticator = MD5(Code+Identifier+Length+16 zero octets+Attributes+Secret)
        var buf = _scratch.AsSpan(0, p + _secret.Length);
        packet[..p].CopyTo(buf);
        _secret.CopyTo(buf[p..]);
        MD5.HashData(buf, packet[4..20]);
        return p;
    }

    /// <summary>True when the answer's Response Authenticator proves it came from the server for this request.</summary>
    public bool VerifyResponse(ReadOnlySpan<byte> response, ReadOnlySpan<byte> requestAuthenticator)
    {
        if (response.Length < Rad.HeaderLength) return false;
        int length = BinaryPrimitives.ReadUInt16BigEndian(response[2..4]);
        if (length < Rad.HeaderLength || length > response.Length) return false;
        var buf = _scratch.AsSpan(0, length + _secret.Length);
        response[..length].CopyTo(buf);
        requestAuthenticator.CopyTo(buf[4..20]);
        _secret.CopyTo(buf[length..]);
        Span<byte> digest = stackalloc byte[16];
        MD5.HashData(buf, digest);
        return digest.SequenceEqual(response[4..20]);
    }

    static int Attr(Span<byte> packet, int p, byte type, ReadOnlySpan<byte> value)
    {
        packet[p] = type;
        packet[p + 1] = (byte)(value.Length + 2);
        value.CopyTo(packet[(p + 2)..]);
        return p + 2 + value.Length;
    }

    static int AttrInt(Span<byte> packet, int p, byte type, int value)
    {
        packet[p] = type;
        packet[p + 1] = 6;
        BinaryPrimitives.WriteInt32BigEndian(packet[(p + 2)..], value);
        return p + 6;
    }

    static int AttrIp(Span<byte> packet, int p, byte type, byte a, byte b, byte c, byte d)
    {
        packet[p] = type;
        packet[p + 1] = 6;
        packet[p + 2] = a;
        packet[p + 3] = b;
        packet[p + 4] = c;
        packet[p + 5] = d;
        return p + 6;
    }

    /// <summary>The client's public address, as radiusplugin sends it (no port): a stable one per member.</summary>
    static int CallingStation(Span<byte> packet, int p, int index)
    {
        packet[p] = Rad.CallingStationId;
        var start = p + 2;
        var q = start;
        q += Ascii(packet[q..], "198.51.");
        q += Decimal(packet[q..], 100 + (index >> 8 & 127));
        packet[q++] = (byte)'.';
        q += Decimal(packet[q..], index & 255);
        packet[p + 1] = (byte)(q - p);
        return q;
    }

    /// <summary>Acct-Session-Id: 32 hex digits, as radiusplugin sends.</summary>
    static int SessionId(Span<byte> packet, int p, long session)
    {
        packet[p] = Rad.AcctSessionId;
        packet[p + 1] = 34;
        const string hex = "0123456789ABCDEF";
        var v = (ulong)session;
        for (var i = 0; i < 16; i++) packet[p + 2 + i] = (byte)'0';
        for (var i = 31; i >= 16; i--)
        {
            packet[p + 2 + i] = (byte)hex[(int)(v & 15)];
            v >>= 4;
        }
        return p + 34;
    }

    static int Ascii(Span<byte> dest, string s)
    {
        for (var i = 0; i < s.Length; i++) dest[i] = (byte)s[i];
        return s.Length;
    }

    static int Decimal(Span<byte> dest, int value)
    {
        if (value >= 100) { dest[0] = (byte)('0' + value / 100); dest[1] = (byte)('0' + value / 10 % 10); dest[2] = (byte)('0' + value % 10); return 3; }
        if (value >= 10) { dest[0] = (byte)('0' + value / 10); dest[1] = (byte)('0' + value % 10); return 2; }
        dest[0] = (byte)('0' + value);
        return 1;
    }

    /// <summary>User-Password hidden per RFC 2865 5.2: c(i) = p(i) xor MD5(S + c(i-1)), c(0) = Request Authenticator.</summary>
    int HiddenPassword(Span<byte> packet, int p, ReadOnlySpan<byte> password, ReadOnlySpan<byte> authenticator)
    {
        var padded = Math.Max(16, (password.Length + 15) / 16 * 16);
        if (padded > 128) throw new ArgumentException("User-Password longer than 128 bytes");
        packet[p] = Rad.UserPassword;
        packet[p + 1] = (byte)(padded + 2);
        var output = packet.Slice(p + 2, padded);
        output.Clear();
        password.CopyTo(output);
        var buf = _scratch.AsSpan(0, _secret.Length + 16);
        _secret.CopyTo(buf);
        Span<byte> b = stackalloc byte[16];
        var previous = authenticator;
        for (var block = 0; block < padded; block += 16)
        {
            previous.CopyTo(buf[_secret.Length..]);
            MD5.HashData(buf, b);
            var chunk = output.Slice(block, 16);
            for (var i = 0; i < 16; i++) chunk[i] ^= b[i];
            previous = chunk;
        }
        return p + 2 + padded;
    }
}
