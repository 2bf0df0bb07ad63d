# Neutrinet RADIUS backend (src/Neutrinet.RadiusBackend), the service FreeRADIUS' rlm_rest calls.
#
#   docker build -t neutrinet/radius-backend .        (or: docker compose build backend)
#
# Configuration comes from the environment (ASP.NET Core: "Section__Key"), see .env.example and
# docker-compose.yml: Ldap__Host, Ldap__Port, Ldap__BindPassword, Redis__Configuration, Radius__ApiKey,
# Radius__AllowedNetworks__0, ... It listens on plain HTTP 8080 and serves /radius/* (FreeRADIUS only),
# /healthz (liveness), /readyz (LDAP + Redis) and /metrics (Prometheus).
#
# The runtime image has no curl/wget; docker-compose.yml checks /healthz with bash's /dev/tcp.
# Create a member: docker compose exec backend dotnet Neutrinet.RadiusBackend.dll member add EMAIL [--name NAME]

# ---------------------------------------------------------------- build
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
ENV DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# Restore first, from the project file and the central build/package props only, so the package layer is
# reused as long as no dependency changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Neutrinet.RadiusBackend/Neutrinet.RadiusBackend.csproj src/Neutrinet.RadiusBackend/
RUN dotnet restore src/Neutrinet.RadiusBackend/Neutrinet.RadiusBackend.csproj

COPY src/Neutrinet.RadiusBackend/ src/Neutrinet.RadiusBackend/
RUN dotnet publish src/Neutrinet.RadiusBackend/Neutrinet.RadiusBackend.csproj \
        -c Release --no-restore -o /app -p:UseAppHost=false

# ---------------------------------------------------------------- runtime
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime

# System.DirectoryServices.Protocols P/Invokes OpenLDAP's libldap (it tries libldap.so.2, libldap-2.6.so.0,
# libldap-2.5.so.0, ...). The package name depends on the base: "libldap2" on Ubuntu 24.04 (the default
# aspnet:10.0 base) and Debian 13, "libldap-2.5-0" on Debian 12.
RUN apt-get update \
    && { apt-get install -y --no-install-recommends libldap2 \
         || apt-get install -y --no-install-recommends libldap-2.5-0; } \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=build /app ./

ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
# The runtime settings the systemd unit sets too (why: deploy/systemd/neutrinet-radius-backend.service).
ENV DOTNET_GCgen0size=0x200000
ENV DOTNET_GCName=libclrgc.so
ENV DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
EXPOSE 8080

# The image's built-in unprivileged user (UID 1654).
USER app
ENTRYPOINT ["dotnet", "Neutrinet.RadiusBackend.dll"]
