#!/usr/bin/env bash
# Entrypoint of the ldap container (deploy/ldap.Dockerfile): slapd in the foreground as PID 1.
#
# 1. scripts/lib/slapd-start in its normal (background) mode, on loopback and a private port only:
#    initialises LDAP_DATA_DIR on the first start, and on later starts re-hashes the service passwords
#    from the environment if they changed (the foreground mode skips that step).
# 2. Stops that slapd and execs slapd-start again with SLAPD_FOREGROUND=1 on SLAPD_BIND:LDAP_PORT,
#    logging to stderr. Nobody can connect over the network before step 2.
#
# Environment: NEUTRINET_LDAP_SERVICE_PASSWORD (required), LDAP_DATA_DIR (/var/lib/neutrinet-ldap),
# LDAP_PORT (389), LDAP_INIT_PORT (10389, loopback, step 1 only), SLAPD_BIND (0.0.0.0), SLAPD_USER /
# SLAPD_GROUP (openldap) and the other SLAPD_* variables of scripts/lib/slapd-start.
set -euo pipefail

prog=ldap-entrypoint
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

lib=${NEUTRINET_SCRIPTS_DIR:-/opt/neutrinet/scripts/lib}
dir=${LDAP_DATA_DIR:-/var/lib/neutrinet-ldap}
port=${LDAP_PORT:-389}
init_port=${LDAP_INIT_PORT:-10389}

[[ -n ${NEUTRINET_LDAP_SERVICE_PASSWORD:-} ]] ||
	die "NEUTRINET_LDAP_SERVICE_PASSWORD is not set (see .env.example)"
[[ $NEUTRINET_LDAP_SERVICE_PASSWORD != CHANGE_ME* ]] ||
	die "NEUTRINET_LDAP_SERVICE_PASSWORD still has its .env.example placeholder: generate one (openssl rand -hex 24)"
[[ $port != "$init_port" ]] || die "LDAP_PORT and LDAP_INIT_PORT must differ"

SLAPD_FOREGROUND=0 SLAPD_BIND=127.0.0.1 "$lib/slapd-start" "$dir" "$init_port" ||
	die "initialising or checking $dir failed"
"$lib/slapd-stop" "$dir" || die "could not stop the initialisation slapd"

printf '%s: %s ready, starting slapd on %s:%s\n' "$prog" "$dir" "${SLAPD_BIND:-0.0.0.0}" "$port" >&2
export SLAPD_FOREGROUND=1 SLAPD_BIND=${SLAPD_BIND:-0.0.0.0}
exec "$lib/slapd-start" "$dir" "$port"
