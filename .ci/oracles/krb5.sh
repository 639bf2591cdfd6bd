#!/usr/bin/env bash
# Oracle: MIT Kerberos (Debian 12's krb5 1.20.1) as a KDC on loopback, for
# the Kerberos support of mimcm (package mimcm/kerberos). Tests start their
# own throwaway realm through internal/interop (StartKDC); this script only
# installs the programs: krb5kdc and kdb5_util (krb5-kdc), kadmin.local
# (krb5-admin-server), kinit/klist (krb5-user), and faketime, which runs a
# KDC on a shifted clock for the clock-skew test. Pinned to krb5 1.20.1
# (any Debian revision of it) and faketime 0.9.10; idempotent (see
# lib/apt.bash).
set -euo pipefail
. "$(dirname "$0")/lib/apt.bash"

apt_pin krb5-kdc 1.20.1- krb5-admin-server 1.20.1- krb5-user 1.20.1- faketime 0.9.10-

for prog in /usr/sbin/krb5kdc /usr/sbin/kdb5_util /usr/sbin/kadmin.local /usr/bin/kinit /usr/bin/faketime; do
  [ -x "$prog" ] || { echo "krb5: $prog missing after install"; exit 1; }
done
echo "krb5 $(apt_installed krb5-kdc), faketime $(apt_installed faketime)"
