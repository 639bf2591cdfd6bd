#!/usr/bin/env bash
# Installs Debian's openssl command, the oracle for the PKCS#12, PEM, CMS and
# PKCS#7 files the SDK and its fakes write. Pinned to OpenSSL 3.0 (Debian
# 12's, any revision); idempotent (see lib/apt.bash).
set -euo pipefail
. "$(dirname "$0")/lib/apt.bash"

apt_pin openssl 3.0.
openssl version
