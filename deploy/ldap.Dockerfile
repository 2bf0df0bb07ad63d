# OpenLDAP slapd for the Neutrinet member directory, bootstrapped by scripts/lib/slapd-start.
# Built from the repository root (docker-compose.yml, service "ldap"):
#   docker build -f deploy/ldap.Dockerfile -t neutrinet/ldap .
#
# State (cn=config + the mdb database) lives in /var/lib/neutrinet-ldap: mount a volume there.
# Environment: NEUTRINET_LDAP_SERVICE_PASSWORD (required), NEUTRINET_LDAP_READER_PASSWORD, SLAPD_SUFFIX,
# SLAPD_LOGLEVEL (see the top of scripts/lib/slapd-start). Admin access from inside the container (root):
#   ldapsearch -Y EXTERNAL -H ldapi://%2Fvar%2Flib%2Fneutrinet-ldap%2Fldapi -b cn=config
FROM debian:bookworm-slim

# The package's maintainer scripts would start (and configure) a stock slapd during the build: keep them
# from starting services, and drop the stock dc=nodomain instance, which is never used.
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slapd ldap-utils \
    && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d \
    && rm -rf /etc/ldap/slapd.d/* /var/lib/ldap/*

COPY ldap/ /opt/neutrinet/ldap/
COPY scripts/lib/slapd-start scripts/lib/slapd-stop /opt/neutrinet/scripts/lib/
COPY deploy/ldap-entrypoint.sh /opt/neutrinet/deploy/
RUN chmod 0755 /opt/neutrinet/scripts/lib/slapd-start /opt/neutrinet/scripts/lib/slapd-stop \
        /opt/neutrinet/deploy/ldap-entrypoint.sh \
    && install -d -m 0700 -o openldap -g openldap /var/lib/neutrinet-ldap

ENV LDAP_DATA_DIR=/var/lib/neutrinet-ldap \
    LDAP_PORT=389 \
    SLAPD_BIND=0.0.0.0 \
    SLAPD_USER=openldap \
    SLAPD_GROUP=openldap
VOLUME /var/lib/neutrinet-ldap
EXPOSE 389

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ldapsearch -x -H ldap://127.0.0.1:389 -o nettimeout=2 -b "" -s base 1.1 >/dev/null || exit 1

ENTRYPOINT ["/opt/neutrinet/deploy/ldap-entrypoint.sh"]
