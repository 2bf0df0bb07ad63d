#!/usr/bin/env bash
# Entrypoint of the openvpn container (deploy/openvpn.Dockerfile).
#
# Installs the repository's OpenVPN configuration where a Debian host would have it (openvpn/README.md):
#   $OPENVPN_CONFIG_SRC/server.conf       -> /etc/openvpn/server/server.conf
#   $OPENVPN_CONFIG_SRC/radiusplugin.cnf  -> /etc/openvpn/server/radiusplugin.cnf (0600), with
#                                            @RADIUS_HOST@ and @RADIUS_SECRET@ filled in
# creates the client-config-dir named in server.conf (/etc/openvpn/server/ccd), checks the PKI and
# /dev/net/tun, then execs openvpn in the foreground (logging to stdout).
#
# Environment:
#   NEUTRINET_RADIUS_SECRET  required: FreeRADIUS' shared secret (at most 49 characters of A-Z a-z 0-9 . _ ~ + / = -)
#   RADIUS_HOST              FreeRADIUS host name or address (default: freeradius)
#   OPENVPN_CONFIG_SRC       where ./openvpn is mounted (default: /etc/openvpn/neutrinet)
set -euo pipefail

prog=openvpn-entrypoint
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

src=${OPENVPN_CONFIG_SRC:-/etc/openvpn/neutrinet}
dst=/etc/openvpn/server
pki=$dst/pki
radius_host=${RADIUS_HOST:-freeradius}
secret=${NEUTRINET_RADIUS_SECRET:-}

for f in server.conf radiusplugin.cnf; do
	[[ -r $src/$f ]] || die "$src/$f not found: mount the repository's openvpn/ directory on $src"
done

# ---------------------------------------------------------------- PKI
missing=()
for f in ca.crt server.crt server.key; do
	[[ -s $pki/$f ]] || missing+=("$f")
done
# "dh FILE" instead of "dh none" needs that file as well.
dh=$(sed -n 's/^[[:space:]]*dh[[:space:]]\{1,\}\([^[:space:]#;]\{1,\}\).*/\1/p' "$src/server.conf" | tail -n 1)
if [[ -n $dh && $dh != none && ! -s $dh ]]; then missing+=("$dh"); fi
if ((${#missing[@]})); then
	die "PKI incomplete, missing in $pki: ${missing[*]}.
Generate a CA and a server certificate (e.g. with easy-rsa, see openvpn/README.md) and mount the directory
holding ca.crt, server.crt and server.key on $pki (docker-compose.yml: OPENVPN_PKI_DIR in .env)."
fi
[[ -c /dev/net/tun ]] || die "/dev/net/tun is missing: run the container with the device /dev/net/tun and cap_add NET_ADMIN"

# ---------------------------------------------------------------- radiusplugin.cnf
[[ -n $secret ]] || die "NEUTRINET_RADIUS_SECRET is not set (the shared secret of FreeRADIUS, see .env.example)"
[[ $secret != CHANGE_ME* ]] ||
	die "NEUTRINET_RADIUS_SECRET still has its .env.example placeholder: generate one (openssl rand -hex 24)"
# radiusplugin copies values into 50-byte buffers and drops white space and everything after "#".
[[ $secret =~ ^[A-Za-z0-9._~+/=-]{1,49}$ ]] ||
	die "NEUTRINET_RADIUS_SECRET must be 1-49 characters of A-Z a-z 0-9 . _ ~ + / = - (radiusplugin limit; openssl rand -hex 24)"
[[ $radius_host =~ ^[A-Za-z0-9.-]{1,49}$ ]] || die "RADIUS_HOST must be a host name or IPv4 address: $radius_host"

text=$(<"$src/radiusplugin.cnf")
text=${text//"@RADIUS_HOST@"/"$radius_host"}
text=${text//"@RADIUS_SECRET@"/"$secret"}
if [[ $text =~ @[A-Z][A-Z_]*@ ]]; then
	die "unsubstituted placeholder ${BASH_REMATCH[0]} in $src/radiusplugin.cnf"
fi
mkdir -p "$dst"
(umask 077 && printf '%s\n' "$text" >"$dst/radiusplugin.cnf.tmp")
mv -f "$dst/radiusplugin.cnf.tmp" "$dst/radiusplugin.cnf"
install -m 0644 "$src/server.conf" "$dst/server.conf"

# status /run/openvpn-server/status.log (systemd's RuntimeDirectory on a Debian host).
install -d -m 0755 /run/openvpn-server
# client-config-dir: radiusplugin writes each member's Framed-IP-Address/Framed-Route there at login.
ccd=$(sed -n 's/^[[:space:]]*client-config-dir[[:space:]]\{1,\}\([^[:space:]#;]\{1,\}\).*/\1/p' "$dst/server.conf" | tail -n 1)
if [[ -n $ccd ]]; then
	[[ $ccd == /* ]] || ccd=$dst/$ccd
	install -d -m 0700 "$ccd"
fi

cd "$dst"
printf '%s: starting openvpn (RADIUS server %s)\n' "$prog" "$radius_host" >&2
exec openvpn --config "$dst/server.conf"
