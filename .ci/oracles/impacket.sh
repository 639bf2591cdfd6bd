#!/usr/bin/env bash
# Oracle: NTLM and SPNEGO implementations not written here.
#  - impacket (Debian's python3-impacket) builds NTLM challenges and checks
#    NTLMv2 responses in internal/interop/ntlm_acceptor.py; it installs for
#    Debian's own interpreter, /usr/bin/python3 (the python3 first on PATH
#    may be another one without it).
#  - curl --ntlm, and curl --negotiate through gss-ntlmssp (the NTLM
#    mechanism for MIT GSS-API), as clients of the mimcmtest fake.
# Pinned (Debian 12); idempotent: installs nothing when the pinned versions
# are present (see lib/apt.bash).
set -euo pipefail
. "$(dirname "$0")/lib/apt.bash"

apt_pin python3-impacket 0.10.0-4 gss-ntlmssp 1.2.0-1 curl 7.88.1- python3 3.11.

/usr/bin/python3 -c 'import impacket.ntlm, impacket.spnego'
curl --version | grep -q 'GSS-API' || { echo "curl lacks GSS-API (needed for --negotiate)"; exit 1; }
# gss-ntlmssp registers itself with MIT GSS-API here.
ls /etc/gss/mech.d/*ntlmssp* >/dev/null
echo "impacket $(apt_installed python3-impacket), gss-ntlmssp $(apt_installed gss-ntlmssp), $(curl --version | head -1)"
