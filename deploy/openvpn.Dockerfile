# OpenVPN 2.6 server with radiusplugin (Debian 12 packages) for the Neutrinet member VPN.
# Built from the repository root (docker-compose.yml, service "openvpn"):
#   docker build -f deploy/openvpn.Dockerfile -t neutrinet/openvpn .
#
# Mounts (see openvpn/README.md):
#   ./openvpn -> /etc/openvpn/neutrinet (read-only): server.conf and radiusplugin.cnf of this repository
#   PKI       -> /etc/openvpn/server/pki (read-only): ca.crt, server.crt, server.key (dh.pem only if
#                server.conf uses "dh FILE" instead of "dh none")
# Needs NET_ADMIN and /dev/net/tun. Environment: NEUTRINET_RADIUS_SECRET (required), RADIUS_HOST.
FROM debian:bookworm-slim

RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openvpn openvpn-auth-radius iproute2 \
    && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d

COPY deploy/openvpn-entrypoint.sh /usr/local/sbin/neutrinet-openvpn-entrypoint
RUN chmod 0755 /usr/local/sbin/neutrinet-openvpn-entrypoint

EXPOSE 1194/udp
ENTRYPOINT ["/usr/local/sbin/neutrinet-openvpn-entrypoint"]
