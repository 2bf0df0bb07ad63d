namespace Neutrinet.RadiusBackend.Auth;

/// <summary>A field a login page draws for a form module.</summary>
public sealed record FormField(string Name, string Label, string Type);

/// <summary>What a login page needs to draw one module: a form (fields + where to post) or a button (start URL).</summary>
public sealed record ProviderDescription(
    string Name,
    string DisplayName,
    string Kind,
    string? StartUrl = null,
    string? SubmitUrl = null,
    string? RegisterUrl = null,
    IReadOnlyList<FormField>? Fields = null);

/// <summary>
/// An authentication module. Modules map their own routes under <c>/api/auth/{name}</c> and never mint tokens: they
/// hand the authenticated member to <see cref="AuthManager.LogInAsync"/>.
/// </summary>
public interface IAuthModule
{
    string Name { get; }
    ProviderDescription Describe();
    void MapEndpoints(RouteGroupBuilder group);
}
