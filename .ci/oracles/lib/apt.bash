# Sourced by the oracle scripts beside it (a .bash file under lib/, so that
# .ci/run, which runs every .ci/oracles/*.sh, does not run it).
#
# apt_pin PACKAGE VERSION... installs each PACKAGE whose installed Debian
# version does not start with its VERSION, then checks that every one
# does. A VERSION is either an exact Debian version (1.2.0-1) or an
# upstream version followed by "-" (1.20.1-), which keeps a package pinned
# to its upstream release while Debian's security revisions of it
# (1.20.1-2+deb12u5, …u6) still install: the archive drops the superseded
# revisions, so an exact pin on those would fail on a fresh machine.
#
# apt-get update runs only when a package to install is unknown to apt's
# lists or its candidate is not the pinned version, so it runs at most once
# per machine state however many scripts call this. Idempotent: nothing
# runs when every package is installed at its pinned version.

# Both print nothing for a package that is not there. dpkg-query fails for
# one never installed: under the callers' `set -eo pipefail` that failure
# would end the script silently at `have=$(apt_installed …)`, on exactly
# the fresh machine that needs the install.
apt_installed() { { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true; } | sed -n 's/^install ok installed //p'; }

apt_candidate() { { apt-cache policy "$1" 2>/dev/null || true; } | sed -n 's/^ *Candidate: //p'; }

apt_pin() {
  local need=() want=() pkg ver have cand
  while [ $# -ge 2 ]; do
    pkg=$1 ver=$2; shift 2
    have=$(apt_installed "$pkg")
    case "$have" in "$ver"*) ;; *) need+=("$pkg"); want+=("$ver") ;; esac
  done
  [ ${#need[@]} -eq 0 ] && return 0

  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  # Another install may hold apt's locks: wait for it rather than fail.
  local apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -qq)
  local i stale=0 args=()
  for i in "${!need[@]}"; do
    cand=$(apt_candidate "${need[$i]}")
    case "$cand" in "${want[$i]}"*) ;; *) stale=1 ;; esac
  done
  if [ $stale = 1 ]; then
    local t0=$SECONDS
    "${apt[@]}" update
    echo "apt-get update: $((SECONDS - t0)) s"
  fi
  for i in "${!need[@]}"; do
    cand=$(apt_candidate "${need[$i]}")
    case "$cand" in
      "${want[$i]}"*) args+=("${need[$i]}=$cand") ;;
      *) echo "apt: ${need[$i]} ${want[$i]}* is not in the package lists (candidate: ${cand:-none})" >&2; return 1 ;;
    esac
  done
  local t1=$SECONDS
  # The packages' post-install scripts may start system daemons (krb5-kdc
  # does where systemd runs); the tests never use them.
  "${apt[@]}" install --no-install-recommends "${args[@]}"
  echo "apt-get install ${args[*]}: $((SECONDS - t1)) s"
  for i in "${!need[@]}"; do
    have=$(apt_installed "${need[$i]}")
    case "$have" in "${want[$i]}"*) ;; *) echo "apt: ${need[$i]} is ${have:-missing}, want ${want[$i]}*" >&2; return 1 ;; esac
  done
}
