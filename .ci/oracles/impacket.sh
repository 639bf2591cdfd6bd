#!/usr/bin/env bash
# Oracle: NTLM and SPNEGO implementations not written here.
#  - impacket (Debian's python3-impacket) builds NTLM challenges and checks
#    NTLMv2 responses in internal/interop/ntlm_acceptor.py; it installs for
#    Debian's own interpreter, /usr/bin/python3.
#  - curl --ntlm, and curl --negotiate through gss-ntlmssp (the NTLM
#    mechanism for MIT GSS-API), as clients of the mimcmtest fake.
# Idempotent: installs nothing when the pinned versions are present.
set -euo pipefail

IMPACKET_VERSION=0.10.0-4
GSS_NTLMSSP_VERSION=1.2.0-1

need=()
installed() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
[ "$(installed python3-impacket)" = "$IMPACKET_VERSION" ] || need+=("python3-impacket=$IMPACKET_VERSION")
[ "$(installed gss-ntlmssp)" = "$GSS_NTLMSSP_VERSION" ] || need+=("gss-ntlmssp=$GSS_NTLMSSP_VERSION")
command -v curl >/dev/null || need+=(curl)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  # Other installs may hold apt's locks: wait for them rather than fail.
  apt=($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -qq)
  # The package lists are refreshed only when the pinned versions are unknown.
  if ! apt-cache show "${need[@]}" >/dev/null 2>&1; then "${apt[@]}" update; fi
  "${apt[@]}" install --no-install-recommends "${need[@]}"
fi

/usr/bin/python3 -c 'import impacket.ntlm, impacket.spnego' 
curl --version | grep -q 'GSS-API' || { echo "curl lacks GSS-API (needed for --negotiate)"; exit 1; }
# gss-ntlmssp registers itself with MIT GSS-API here.
ls /etc/gss/mech.d/*ntlmssp* >/dev/null
echo "impacket $(installed python3-impacket), gss-ntlmssp $(installed gss-ntlmssp), $(curl --version | head -1)"
