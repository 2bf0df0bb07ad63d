#!/bin/sh
# Entrypoint of the freeradius container (official freeradius/freeradius-server image, see
# docker-compose.yml): the checks of scripts/lib/freeradius-start, then radiusd in the foreground on the
# repository's freeradius/ directory (mounted read-only on $RADDB), logging to stdout.
#
# $ENV{...} in freeradius/ has no defaults and an unset variable silently becomes "", so every variable
# the configuration reads must be set here (freeradius/README.md). Never add -X: it prints passwords.
set -eu

prog=freeradius-entrypoint
die() { echo "$prog: $*" >&2; exit 1; }

RADDB=${RADDB:-/etc/neutrinet-raddb}
[ -r "$RADDB/radiusd.conf" ] || die "$RADDB/radiusd.conf not found: mount the repository's freeradius/ directory on $RADDB"

for var in NEUTRINET_BACKEND_URL NEUTRINET_API_KEY NEUTRINET_RADIUS_SECRET RADIUS_AUTH_PORT RADIUS_ACCT_PORT \
	RADIUS_LISTEN_ADDR RADIUS_CLIENT_NETWORK RADIUS_THREADS RADIUS_RUN_DIR RADIUS_LOG_DIR RADIUS_SPOOL_DIR; do
	eval "value=\${$var:-}"
	[ -n "$value" ] || die "$var is not set"
	case $value in CHANGE_ME*) die "$var still has its .env.example placeholder: generate one (openssl rand -hex 24)" ;; esac
done

# Both end up in strings FreeRADIUS expands per request, where "%" and "\" are special.
NEUTRINET_BACKEND_URL=${NEUTRINET_BACKEND_URL%/}
export NEUTRINET_BACKEND_URL
case $NEUTRINET_BACKEND_URL in
	http://* | https://*) ;;
	*) die "NEUTRINET_BACKEND_URL must start with http:// or https://" ;;
esac
case $NEUTRINET_BACKEND_URL in
	*[%\\\"[:space:]]*) die "NEUTRINET_BACKEND_URL must not contain %, \\, quotes or spaces" ;;
esac
case $NEUTRINET_API_KEY in
	*[!A-Za-z0-9._~+/=-]*) die "NEUTRINET_API_KEY may only contain A-Z a-z 0-9 . _ ~ + / = -" ;;
esac
case $NEUTRINET_RADIUS_SECRET in
	*[!A-Za-z0-9._~+/=-]*) die "NEUTRINET_RADIUS_SECRET may only contain A-Z a-z 0-9 . _ ~ + / = - (it must also suit radiusplugin)" ;;
esac
for var in RADIUS_AUTH_PORT RADIUS_ACCT_PORT RADIUS_THREADS; do
	eval "value=\${$var}"
	case $value in
		'' | 0* | *[!0-9]*) die "$var must be a positive number" ;;
	esac
done
for d in "$RADIUS_RUN_DIR" "$RADIUS_LOG_DIR" "$RADIUS_SPOOL_DIR"; do
	{ [ -d "$d" ] && [ -w "$d" ]; } || die "$d (RADIUS_RUN_DIR/RADIUS_LOG_DIR/RADIUS_SPOOL_DIR) must be a writable directory"
done
# The accounting spool (freeradius/mods-available/detail) is expanded into file names: no % or \ there.
case $RADIUS_SPOOL_DIR in
	/*) ;;
	*) die "RADIUS_SPOOL_DIR must be an absolute path" ;;
esac
case $RADIUS_SPOOL_DIR in
	*[%\\\"[:space:]]*) die "RADIUS_SPOOL_DIR must not contain %, \\, quotes or spaces" ;;
esac
# A spool file left by another user (e.g. a run as root) stops delivery while the NAS is still answered.
for f in "$RADIUS_SPOOL_DIR"/accounting/detail "$RADIUS_SPOOL_DIR"/accounting/detail.work; do
	if [ -e "$f" ] && ! { [ -r "$f" ] && [ -w "$f" ]; }; then
		die "$f is not readable and writable by $(id -un): accounting could not be delivered (chown it)"
	fi
done

bin=$(command -v freeradius || command -v radiusd || true)
[ -n "$bin" ] || die "neither freeradius nor radiusd found in PATH"
echo "$prog: starting $bin on $RADDB (auth $RADIUS_AUTH_PORT, acct $RADIUS_ACCT_PORT, backend $NEUTRINET_BACKEND_URL)" >&2
exec "$bin" -f -l stdout -d "$RADDB"
