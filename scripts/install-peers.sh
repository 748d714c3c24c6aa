#!/usr/bin/env bash
# Installs the Debian packages that the tests start as real peers (serial ptys, Modbus
# slave and master, MQTT broker, camera source, browser, PC/SC stack). Runs apt-get only
# for packages that are missing, and only as root; otherwise prints what to run.
set -euo pipefail
PKGS=(socat python3-pymodbus python3-serial python3-serial-asyncio mbpoll mosquitto mosquitto-clients ffmpeg chromium tmux
      pcscd pcsc-tools libpcsclite-dev vsmartcard-vpcd vsmartcard-vpicc python3-virtualsmartcard
      python3-pycryptodome python3-pil openssl fonts-noto-cjk postgresql stress-ng zbar-tools sane-utils softhsm2)
# With arguments, only those packages (npm start needs just socat for the simulated controller's pty).
[ $# -gt 0 ] && PKGS=("$@")
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "peers missing: ${missing[*]} — install with: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "installing test peers: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || apt-get update
# A freshly installed pcscd/mosquitto must not start as system services here: the tests
# start their own instances on their own ports.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.egate && chmod +x /usr/sbin/policy-rc.d.egate
[ -e /usr/sbin/policy-rc.d ] || cp /usr/sbin/policy-rc.d.egate /usr/sbin/policy-rc.d
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || apt-get install -y --no-install-recommends "${missing[@]}"
cmp -s /usr/sbin/policy-rc.d /usr/sbin/policy-rc.d.egate && rm -f /usr/sbin/policy-rc.d
rm -f /usr/sbin/policy-rc.d.egate
