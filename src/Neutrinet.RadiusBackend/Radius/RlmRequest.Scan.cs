using System.Runtime.CompilerServices;
using System.Text;

namespace Neutrinet.RadiusBackend.Radius;

public sealed partial class RlmRequest
{
    /// <summary>
    /// Reads a body in the plain shape rlm_rest writes: <c>{"Attr": {"type": "…", "value": [ … ]}, …}</c>, strings of
    /// printable ASCII without escapes (rlm_rest escapes every byte >= 0x80, so real strings are ASCII), integers.
    /// It is the warm login path's parser: a third of the general reader's time, and strings only for the attributes
    /// the backend uses. It accepts a subset of what <see cref="TryParseWithReader"/> accepts and fills the request the
    /// same way; whatever it does not recognise — escapes, other bytes, fractions, signs, duplicate keys, any
    /// malformed input — it declines, and the general reader parses the body and names the error.
    /// </summary>
    internal static bool TryScanPlain(ReadOnlySpan<byte> body, out RlmRequest request)
    {
        request = null!;
        var scan = new PlainScanner(body);
        var q = new RlmRequest();
        if (!scan.Take((byte)'{')) return false;
        if (!scan.Take((byte)'}'))
        {
            do
            {
                if (!scan.String(out var name) || !scan.Take((byte)':') || !ScanAttribute(ref scan, q, Identify(name)))
                    return false;
            }
            while (scan.Take((byte)','));
            if (!scan.Take((byte)'}')) return false;
        }
        if (!scan.AtEnd()) return false;
        request = q;
        return true;
    }

    /// <summary><c>{"type": "…", "value": [ … ]}</c>, each key at most once, in either order.</summary>
    static bool ScanAttribute(ref PlainScanner scan, RlmRequest q, Target target)
    {
        if (!scan.Take((byte)'{')) return false;
        bool sawType = false, sawValue = false;
        if (!scan.Take((byte)'}'))
        {
            do
            {
                if (!scan.String(out var key) || !scan.Take((byte)':')) return false;
                if (key.SequenceEqual("type"u8) && !sawType)
                {
                    sawType = true;
                    if (!scan.String(out _)) return false;
                }
                else if (key.SequenceEqual("value"u8) && !sawValue)
                {
                    sawValue = true;
                    if (!ScanValues(ref scan, q, target)) return false;
                }
                else
                {
                    return false;
                }
            }
            while (scan.Take((byte)','));
            if (!scan.Take((byte)'}')) return false;
        }
        // The general reader names the missing array.
        return sawValue || target == Target.None;
    }

    /// <summary>The value array; the first value of a known attribute is kept, like the general reader does.</summary>
    static bool ScanValues(ref PlainScanner scan, RlmRequest q, Target target)
    {
        if (!scan.Take((byte)'[')) return false;
        if (scan.Take((byte)']')) return true;
        var first = true;
        do
        {
            var isString = scan.Peek() == '"';
            ReadOnlySpan<byte> raw;
            if (isString ? !scan.String(out raw) : !scan.Integer(out raw)) return false;
            if (first && target != Target.None && !Assign(q, target, raw, isString)) return false;
            first = false;
        }
        while (scan.Take((byte)','));
        return scan.Take((byte)']');
    }

    static bool Assign(RlmRequest q, Target target, ReadOnlySpan<byte> raw, bool isString)
    {
        if (KindOf(target) == Kind.Number)
        {
            // A number, or a string of digits (NumberStyles.None); longer than 18 digits is left to the general reader.
            if (raw.Length is 0 or > 18) return false;
            long number = 0;
            foreach (var b in raw)
            {
                if (b is < (byte)'0' or > (byte)'9') return false;
                number = number * 10 + (b - '0');
            }
            q.Set(target, number);
            return true;
        }
        if (!isString) return false;
        q.Set(target, Text(target, raw));
        return true;
    }

    // The NAS's own attributes repeat on every request it sends: the last value of each is handed out again instead of
    // a new string per login. Strings are immutable; two threads racing here only cost an allocation.
    static readonly string?[] LastRepeatedValue = new string?[Names.Length];

    static string Text(Target target, ReadOnlySpan<byte> raw)
    {
        if (target is not (Target.NasIpAddress or Target.NasIdentifier or Target.AcctStatusType))
            return Encoding.ASCII.GetString(raw);
        ref var last = ref LastRepeatedValue[(int)target];
        if (Volatile.Read(ref last) is { } seen && Ascii.Equals(raw, seen)) return seen;
        var text = Encoding.ASCII.GetString(raw);
        Volatile.Write(ref last, text);
        return text;
    }

    ref struct PlainScanner(ReadOnlySpan<byte> body)
    {
        readonly ReadOnlySpan<byte> _body = body;
        int _at;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Peek()
        {
            var at = _at;
            while ((uint)at < (uint)_body.Length)
            {
                var b = _body[at];
                if (b is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
                {
                    _at = at;
                    return b;
                }
                at++;
            }
            _at = at;
            return -1;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Take(byte token)
        {
            if (Peek() != token) return false;
            _at++;
            return true;
        }

        public bool AtEnd() => Peek() == -1;

        /// <summary>A string of printable ASCII without escapes; its content, without the quotes.</summary>
        public bool String(out ReadOnlySpan<byte> content)
        {
            content = default;
            if (!Take((byte)'"')) return false;
            // rlm_rest's strings are short: a plain loop beats two vectorised searches.
            var rest = _body[_at..];
            for (var end = 0; end < rest.Length; end++)
            {
                var b = rest[end];
                if (b == '"')
                {
                    content = rest[..end];
                    _at += end + 1;
                    return true;
                }
                if (b is < (byte)' ' or > (byte)'~' or (byte)'\\') return false;
            }
            return false;
        }

        /// <summary>A non-negative integer without a leading zero (JSON's own rule), fraction or exponent.</summary>
        public bool Integer(out ReadOnlySpan<byte> digits)
        {
            digits = default;
            var rest = _body[_at..];
            var end = rest.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            if (end < 0) end = rest.Length;
            if (end == 0 || (end > 1 && rest[0] == '0')) return false;
            if (end < rest.Length && rest[end] is (byte)'.' or (byte)'e' or (byte)'E') return false;
            digits = rest[..end];
            _at += end;
            return true;
        }
    }
}
