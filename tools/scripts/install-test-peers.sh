#!/usr/bin/env bash
# Installs the Debian packages the test suite runs as real peers, if any is missing.
set -euo pipefail
packages=(curl openssl ca-certificates squid tinyproxy haproxy dnsmasq-base chromium fonts-dejavu-core fonts-noto-cjk slowhttptest)
# tools/package: strip (binutils) and dpkg-shlibdeps (dpkg-dev) build the executables and the .deb; lintian
# checks it; git clones the repository for the README test; the .deb depends on adduser and
# init-system-helpers; ss (iproute2), ps (procps), setpriv and prlimit (util-linux) run and inspect the service.
packages+=(binutils dpkg-dev lintian git adduser init-system-helpers iproute2 procps util-linux)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
