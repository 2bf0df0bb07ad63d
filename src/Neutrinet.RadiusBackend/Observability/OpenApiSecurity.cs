using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Neutrinet.RadiusBackend.Observability;

/// <summary>
/// States each operation's auth requirement in the OpenAPI document: a bearer access token for endpoints that require
/// authorization (plus the admin role where it applies), FreeRADIUS's X-Api-Key for /radius.
/// </summary>
internal static class OpenApiSecurity
{
    const string Bearer = "Bearer";
    const string ApiKey = "FreeRadiusApiKey";

    public static OpenApiOptions AddSecurityRequirements(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "Access token from /api/auth/simpleauth/login or /api/auth/refresh",
            };
            document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key",
                Description = "FreeRADIUS's shared secret (Radius:ApiKey)",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var path = context.Description.RelativePath ?? "";
            string? scheme = path.StartsWith("radius/", StringComparison.Ordinal) ? ApiKey
                : metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any() ? Bearer : null;
            if (scheme is null) return Task.CompletedTask;
            var roles = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = roles }];
            if (roles.Count > 0)
                operation.Description = $"Requires the policy: {string.Join(", ", roles)}. " + operation.Description;
            return Task.CompletedTask;
        });
        return options;
    }
}
