#!/usr/bin/env bash
# Installs the real peers the tests talk to, from Debian's packages, when they are missing:
#   xmllint (libxml2-utils)  validates every PIFU-IMS document against PIFU-IMS_SAS.xsd
#   sshd (openssh-server)    a real SFTP server on a loopback port (tests start their own)
# The tests start each server themselves on 127.0.0.1 and stop it by its PID. A peer that is
# still missing after this makes its tests fail; they are never skipped.
set -euo pipefail

need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)

if [ "${#need[@]}" -eq 0 ]; then
  echo "peers: all installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "peers: ${need[*]} missing and not root (no sudo); install them: apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
echo "peers: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# No services are started by the package scripts in a container; the tests start their own.
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
