using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Auth;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Members;
using Neutrinet.RadiusBackend.Observability;
using Neutrinet.RadiusBackend.Radius;
using Neutrinet.RadiusBackend.Web;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = MemberCommand.HostArgs(args),
    // appsettings.json sits beside the binary, wherever the process is started from.
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddHttpServer();
builder.AddObservability();
builder.AddDirectory();
builder.AddCaching();
builder.AddAccounting();
builder.AddRadius();
builder.AddMembers();
builder.AddAuth();

var app = builder.Build();
if (MemberCommand.Matches(args))
    return await MemberCommand.RunAsync(app.Services, args);

app.UseObservability();
app.UseForPeople(RadiusApi.IsRadiusCall, people => people
    .UseProblemStatusPages()
    .UseWebPages()
    .UseAuth());
app.MapObservability();
app.MapRadius();
app.MapAuth();
app.MapMembers();
app.MapAdmin();
app.Run();
return 0;

/// <summary>Entry point, visible to the integration tests' host factory.</summary>
public partial class Program;
