#!/usr/bin/env bash
# Installs the real peers the tests talk to, when they are missing:
#   xmllint (libxml2-utils)   validates every PIFU-IMS document against PIFU-IMS_SAS.xsd
#   sshd (openssh-server)     a real SFTP server on a loopback port
#   scim2-server 0.8.3 (PyPI) a real SCIM 2.0 server, in the project's own venv (.peers/venv)
#   Prism 5.14.2 (npm)        serves the official SS12000 OpenAPI file as a real API (.peers/node)
#   oidc-provider 9.13.3 (npm) a real OAuth 2.0 token server (client credentials) (.peers/node)
#   aiosmtpd 1.4.6 (PyPI)     a real SMTP server that keeps each mailed report in a Maildir
#   script (bsdutils)         runs etl under a pseudo-terminal to see its progress line
#   jsonschema 4.26.0 (PyPI)  validates pipelines against `etl schema`, as an editor would
#   Chromium (chromium)       a real browser renders the HTML status report (headless)
#   Samba AD DC (samba-ad-dc) a real Active Directory domain controller for the LDAP source;
#                             the tests provision a throwaway domain offline (samba-tool, ldbadd)
# The tests start each server themselves on 127.0.0.1 and stop it by its PID. A peer that is
# still missing after this makes its tests fail; they are never skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-venv)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
{ [ -x /usr/sbin/samba ] && command -v samba-tool >/dev/null 2>&1; } || need+=(samba samba-ad-dc samba-ad-provision)
command -v ldbadd >/dev/null 2>&1 || need+=(ldb-tools)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
command -v strace >/dev/null 2>&1 || need+=(strace)

if [ "${#need[@]}" -gt 0 ]; then
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
fi

# Python peers live in a venv of the project's own, pinned, so the tests find them by path.
venv=.peers/venv
scim_version=0.8.3
if ! "$venv/bin/python" -c "import importlib.metadata as m; assert m.version('scim2-server') == '$scim_version'" 2>/dev/null; then
  echo "peers: installing scim2-server $scim_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "scim2-server==$scim_version"
fi
aiosmtpd_version=1.4.6
if ! "$venv/bin/python" -c "import importlib.metadata as m; assert m.version('aiosmtpd') == '$aiosmtpd_version'" 2>/dev/null; then
  echo "peers: installing aiosmtpd $aiosmtpd_version into $venv"
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q "aiosmtpd==$aiosmtpd_version"
fi
jsonschema_version=4.26.0
if ! "$venv/bin/python" -c "import importlib.metadata as m; assert m.version('jsonschema') == '$jsonschema_version'" 2>/dev/null; then
  echo "peers: installing jsonschema $jsonschema_version into $venv"
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q "jsonschema==$jsonschema_version"
fi
# Prism (Node) likewise, pinned, in a folder of the project's own.
node_dir=.peers/node
prism_version=5.14.2
if ! grep -qs "\"version\": \"$prism_version\"" "$node_dir/node_modules/@stoplight/prism-cli/package.json"; then
  echo "peers: installing @stoplight/prism-cli $prism_version into $node_dir"
  mkdir -p "$node_dir"
  npm install --silent --no-audit --no-fund --prefix "$node_dir" "@stoplight/prism-cli@$prism_version" >/dev/null
fi
oidc_version=9.13.3
if ! grep -qs "\"version\": \"$oidc_version\"" "$node_dir/node_modules/oidc-provider/package.json"; then
  echo "peers: installing oidc-provider $oidc_version into $node_dir"
  mkdir -p "$node_dir"
  npm install --silent --no-audit --no-fund --prefix "$node_dir" "oidc-provider@$oidc_version" >/dev/null
fi
echo "peers: all installed"
