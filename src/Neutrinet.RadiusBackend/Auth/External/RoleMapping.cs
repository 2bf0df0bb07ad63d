using System.Text.Json.Nodes;

namespace Neutrinet.RadiusBackend.Auth.External;

/// <summary>
/// Turns a provider's claims (the ID token's and userinfo's, merged) into roles with the configured rules. A missing
/// claim, or one of an unexpected shape, matches nothing: the member then has only the default role.
/// </summary>
public static class RoleMapping
{
    public static IReadOnlyList<string> Map(JsonObject claims, IEnumerable<RoleRule> rules) =>
        [.. rules.Where(r => Values(claims, r.ClaimPath).Contains(r.Value, StringComparer.Ordinal))
            .Select(r => r.Role).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Every scalar reached by a dotted path; arrays on the way (or at the end) are searched element by element.
    /// A claim whose name itself holds dots (<c>"https://example.org/groups"</c>) is tried whole first.</summary>
    public static IEnumerable<string> Values(JsonNode? node, string path)
    {
        if (node is JsonArray array)
        {
            foreach (var item in array)
                foreach (var v in Values(item, path)) yield return v;
            yield break;
        }
        if (path.Length == 0)
        {
            if (node is JsonValue value && Scalar(value) is { } s) yield return s;
            yield break;
        }
        if (node is not JsonObject obj) yield break;
        if (obj.TryGetPropertyValue(path, out var whole))
        {
            foreach (var v in Values(whole, "")) yield return v;
            yield break;
        }
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        var head = dot < 0 ? path : path[..dot];
        var rest = dot < 0 ? "" : path[(dot + 1)..];
        if (obj.TryGetPropertyValue(head, out var child))
            foreach (var v in Values(child, rest)) yield return v;
    }

    /// <summary>The first scalar of a claim as text, or null.</summary>
    public static string? First(JsonObject claims, string path) => Values(claims, path).FirstOrDefault();

    /// <summary>email_verified arrives as a JSON boolean, or as "true"/"True" text from some userinfo endpoints.</summary>
    public static bool IsTrue(JsonObject claims, string path) =>
        First(claims, path) is { } v && bool.TryParse(v, out var b) && b;

    static string? Scalar(JsonValue value) => value.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        System.Text.Json.JsonValueKind.True => "true",
        System.Text.Json.JsonValueKind.False => "false",
        System.Text.Json.JsonValueKind.Number => value.ToJsonString(),
        _ => null,
    };
}
