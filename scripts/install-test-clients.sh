#!/usr/bin/env bash
# Installs the real BitTorrent clients the interop tests run against, from Debian's packages,
# unless they are already there. Needs root (CI runs as root) when something is missing.
# Service starts are denied during the install: some of these packages would otherwise start
# system daemons with their default settings (listening on every interface, DHT on).
set -euo pipefail

PACKAGES=(python3-libtorrent mktorrent transmission-cli qbittorrent-nox opentracker aria2)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-test-clients: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=1
fi
trap '[ "$created_policy" = 0 ] || rm -f "$policy"' EXIT
rc=0; "$policy" >/dev/null 2>&1 || rc=$?
if [ "$rc" != 101 ]; then
  echo "install-test-clients: $policy does not deny service starts; refusing to install" >&2
  exit 1
fi
echo "install-test-clients: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
