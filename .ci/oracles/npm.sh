#!/usr/bin/env bash
# Installs the npm oracles (Prism, Esri's arcgis-rest-request) exactly as
# internal/interop/npm/package-lock.json pins them, into a cache directory
# named after the lock file's hash (internal/interop.NodeModules finds it
# the same way). Idempotent: a second run with the same lock installs nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/oracles/lib/apt.bash
src=internal/interop/npm

# This kind of machine ships Node.js 20 and npm 11; where they are missing,
# Debian 12's (Node.js 18.20, npm 9.2) run Prism and arcgis-rest-request too.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_pin nodejs 18.20. npm 9.2.
fi
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || { echo "npm oracles: Node.js $(node --version) is older than 18"; exit 1; }

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
t0=$SECONDS
(cd "$dir.tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "npm ci: $((SECONDS - t0)) s"
"$dir.tmp/node_modules/.bin/prism" --version >/dev/null
touch "$dir.tmp/.installed"
rm -rf "$dir"; mv "$dir.tmp" "$dir"
echo "npm oracles installed in $dir"
