#!/usr/bin/env bash
# Installs the npm oracles (Prism, Esri's arcgis-rest-request) exactly as
# internal/interop/npm/package-lock.json pins them, into a cache directory
# named after the lock file's hash (internal/interop.NodeModules finds it
# the same way). Idempotent: a second run with the same lock installs nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=internal/interop/npm

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y --no-install-recommends nodejs npm
fi

base="${CERTADMIN_ORACLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certadmin-go-oracles}"
hash=$(sha256sum "$src/package-lock.json" | cut -c1-16)
dir="$base/npm-$hash"
if [ -f "$dir/.installed" ]; then
  echo "npm oracles already installed in $dir"; exit 0
fi
rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
cp "$src/package.json" "$src/package-lock.json" "$dir.tmp/"
# --ignore-scripts: no package here needs its install script (the only one
# is a telemetry ping), and nothing is fetched beyond the registry.
(cd "$dir.tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
"$dir.tmp/node_modules/.bin/prism" --version >/dev/null
touch "$dir.tmp/.installed"
rm -rf "$dir"; mv "$dir.tmp" "$dir"
echo "npm oracles installed in $dir"
