using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.UnitTests;

public class SipHashTests
{
    // The reference vectors of SipHash-2-4-128 published with the paper: key 00 01 .. 0f, message 00 01 .. (n-1).
    [Theory]
    [InlineData(0, "a3817f04ba25a8e66df67214c7550293")]
    [InlineData(1, "da87c1d86b99af44347659119b22fc45")]
    [InlineData(2, "8177228da4a45dc7fca38bdef60affe4")]
    [InlineData(3, "9c70b60c5267a94e5f33b6b02985ed51")]
    [InlineData(4, "f88164c12d9c8faf7d0f6e7c7bcd5579")]
    [InlineData(5, "1368875980776f8854527a07690e9627")]
    [InlineData(6, "14eeca338b208613485ea0308fd7a15e")]
    [InlineData(7, "a1f1ebbed8dbc153c0b84aa61ff08239")]
    [InlineData(8, "3b62a9ba6258f5610f83e264f31497b4")]
    [InlineData(15, "5493e99933b0a8117e08ec0f97cfc3d9")]
    public void Matches_the_published_vectors(int length, string expectedHex)
    {
        var key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var tag = new byte[SipHash.TagBytes];

        SipHash.Hash128(key, message, tag);

        Assert.Equal(expectedHex, Convert.ToHexStringLower(tag));
    }

    [Fact]
    public void Every_key_bit_and_every_message_length_changes_the_tag()
    {
        var key = new byte[16];
        var message = "nvt_abcdefghijklmnopqrstuvwxyz234567"u8.ToArray();
        var seen = new HashSet<string>();
        var tag = new byte[16];

        for (var bit = 0; bit < 128; bit++)
        {
            key[bit / 8] ^= (byte)(1 << (bit % 8));
            SipHash.Hash128(key, message, tag);
            Assert.True(seen.Add(Convert.ToHexString(tag)), $"key bit {bit}");
            key[bit / 8] ^= (byte)(1 << (bit % 8));
        }
        for (var length = 0; length <= message.Length; length++)
        {
            SipHash.Hash128(key, message.AsSpan(0, length), tag);
            Assert.True(seen.Add(Convert.ToHexString(tag)), $"length {length}");
        }
    }

    [Fact]
    public void Refuses_a_key_of_the_wrong_size()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SipHash.Hash128(new byte[15], [], new byte[16]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SipHash.Hash128(new byte[16], [], new byte[8]));
    }
}
