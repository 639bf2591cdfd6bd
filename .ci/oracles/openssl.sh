#!/usr/bin/env bash
# Installs Debian's openssl command, the oracle for the PKCS#12, PEM, CMS and
# PKCS#7 files the SDK and its fakes write. Idempotent.
set -euo pipefail
if command -v openssl >/dev/null; then
  openssl version; exit 0
fi
apt-get update -qq && apt-get install -y --no-install-recommends openssl
openssl version
