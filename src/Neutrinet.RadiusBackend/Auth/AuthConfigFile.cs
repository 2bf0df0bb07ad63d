using System.Text.Json;

namespace Neutrinet.RadiusBackend.Auth;

/// <summary>
/// Reads <c>auth_config.json</c> into the configuration tree under <c>Auth:Modules:&lt;name&gt;</c>:
/// <code>{"auth": {"passportjs": [{"NAME": {"type": "oauth"|"oidc", ...}}], "simpleauth": {}}}</code>
/// becomes <c>Auth:Modules:NAME:Type</c>, <c>Auth:Modules:NAME:&lt;KEY&gt;</c> and <c>Auth:Modules:simpleauth:Type</c>.
/// It is inserted before the environment variables, so <c>Auth__Modules__simpleauth__Enabled=false</c> overrides it.
/// </summary>
public sealed class AuthConfigFileSource(string path, bool required) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new AuthConfigFileProvider(path, required);

    /// <summary>Adds the file (path from <c>Auth:ConfigFile</c>) just before the environment variables.</summary>
    public static void AddTo(ConfigurationManager configuration, string contentRoot)
    {
        var configured = configuration["Auth:ConfigFile"];
        var path = Path.GetFullPath(configured ?? "auth_config.json", contentRoot);
        var source = new AuthConfigFileSource(path, required: configured is not null);
        var sources = configuration.Sources;
        var envIndex = sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource);
        if (envIndex < 0) sources.Add(source);
        else sources.Insert(envIndex, source);
    }
}

public sealed class AuthConfigurationException(string message) : Exception(message);

internal sealed class AuthConfigFileProvider(string path, bool required) : ConfigurationProvider
{
    static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path))
        {
            if (required) throw new AuthConfigurationException($"{path}: the auth module file (Auth:ConfigFile) does not exist");
            Data = data;
            return;
        }
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllText(path), Options); }
        catch (JsonException e)
        {
            throw new AuthConfigurationException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("auth", out var auth) || auth.ValueKind != JsonValueKind.Object)
                throw new AuthConfigurationException($"{path}: expected {{\"auth\": {{...}}}} at the top level");
            foreach (var module in auth.EnumerateObject())
            {
                if (module.NameEquals("passportjs"))
                {
                    if (module.Value.ValueKind != JsonValueKind.Array)
                        throw new AuthConfigurationException($"{path}: auth.passportjs must be an array of {{\"name\": {{...}}}} objects");
                    var index = 0;
                    foreach (var item in module.Value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.Object || item.EnumerateObject().Count() != 1)
                            throw new AuthConfigurationException($"{path}: auth.passportjs[{index}] must be an object with exactly one provider name");
                        var provider = item.EnumerateObject().Single();
                        AddModule(data, provider.Name, provider.Value, $"auth.passportjs[{index}].{provider.Name}");
                        index++;
                    }
                }
                else
                {
                    // Any other key is a module named after its key (simpleauth is the only one today).
                    AddModule(data, module.Name, module.Value, $"auth.{module.Name}");
                    data.TryAdd($"Auth:Modules:{module.Name}:Type", module.Name);
                }
            }
        }
        Data = data;
    }

    void AddModule(Dictionary<string, string?> data, string name, JsonElement settings, string where)
    {
        if (settings.ValueKind != JsonValueKind.Object)
            throw new AuthConfigurationException($"{path}: {where} must be an object");
        var prefix = $"Auth:Modules:{name}";
        data[$"{prefix}:Enabled"] = "true";
        Flatten(data, prefix, settings);
    }

    static void Flatten(Dictionary<string, string?> data, string prefix, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject()) Flatten(data, $"{prefix}:{p.Name}", p.Value);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) Flatten(data, $"{prefix}:{i++}", item);
                break;
            case JsonValueKind.String:
                data[prefix] = element.GetString();
                break;
            case JsonValueKind.Null:
                data[prefix] = null;
                break;
            default:
                data[prefix] = element.GetRawText();
                break;
        }
    }
}
