using System.Buffers;
using System.Text;
using Neutrinet.RadiusBackend.Radius;

namespace Neutrinet.RadiusBackend.UnitTests;

/// <summary>Loads the captured rlm_rest bodies copied into Fixtures/ and feeds bodies to the parser.</summary>
internal static class Fixtures
{
    public static byte[] Bytes(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".pretty.json"));

    public static RlmRequest Parse(string fixture)
    {
        var ok = RlmRequest.TryParse(new ReadOnlySequence<byte>(Bytes(fixture)), out var request, out var error);
        Assert.True(ok, $"{fixture} should parse, got: {error}");
        Assert.Null(error);
        return request;
    }

    public static bool TryParse(string json, out RlmRequest request, out string? error) =>
        TryParse(Encoding.UTF8.GetBytes(json), out request, out error);

    public static bool TryParse(byte[] body, out RlmRequest request, out string? error) =>
        RlmRequest.TryParse(new ReadOnlySequence<byte>(body), out request, out error);

    /// <summary>Asserts a body is refused with a message, without throwing.</summary>
    public static string Refused(string json) => Refused(Encoding.UTF8.GetBytes(json));

    public static string Refused(byte[] body)
    {
        var ok = TryParse(body, out _, out var error);
        Assert.False(ok, $"expected the body to be refused: {Encoding.UTF8.GetString(body)}");
        Assert.False(string.IsNullOrEmpty(error));
        return error!;
    }

    /// <summary>One attribute in rlm_rest's shape, with <paramref name="valueJson"/> as the raw JSON of "value".</summary>
    public static string Attribute(string name, string type, string valueJson) =>
        $$$"""{"{{{name}}}":{"type":"{{{type}}}","value":{{{valueJson}}}}}""";

    /// <summary>Splits a body into a multi-segment sequence, as a PipeReader hands it over.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] body, int segmentLength)
    {
        Segment? first = null, last = null;
        for (var offset = 0; offset < body.Length; offset += segmentLength)
        {
            var chunk = body.AsMemory(offset, Math.Min(segmentLength, body.Length - offset));
            var segment = new Segment(chunk, last?.RunningIndex + last?.Memory.Length ?? 0);
            if (last is null) first = segment; else last.Append(segment);
            last = segment;
        }
        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void Append(Segment next) => Next = next;
    }
}
