#!/usr/bin/env bash
# Oracle: MIT Kerberos (Debian 12's krb5 1.20.1) as a KDC on loopback, for
# the Kerberos support of mimcm (package mimcm/kerberos). Tests start their
# own throwaway realm through internal/interop (StartKDC); this script only
# installs the programs: krb5kdc and kdb5_util (krb5-kdc), kadmin.local
# (krb5-admin-server), kinit/klist (krb5-user), and faketime, which runs a
# KDC on a shifted clock for the clock-skew test. Idempotent: nothing is
# installed when every program is already there.
set -euo pipefail

need=()
for prog in /usr/sbin/krb5kdc:krb5-kdc /usr/sbin/kdb5_util:krb5-kdc /usr/sbin/kadmin.local:krb5-admin-server \
  /usr/bin/kinit:krb5-user /usr/bin/faketime:faketime; do
  [ -x "${prog%%:*}" ] || need+=("${prog##*:}")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "krb5: installed"; exit 0
fi
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# The packages' post-install scripts may try to start system daemons; the
# tests never use them (each test runs its own KDC on its own port).
$sudo apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u)
