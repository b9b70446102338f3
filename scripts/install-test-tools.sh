#!/usr/bin/env bash
# promtool (Debian "prometheus") and amtool (Debian "prometheus-alertmanager")
# for the rule and routing tests, and the two servers tests/e2e starts itself
# (/usr/bin/prometheus, /usr/bin/prometheus-alertmanager). Installs only what
# is missing; needs root.
set -euo pipefail
missing=()
command -v promtool >/dev/null || missing+=(prometheus)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
[ -x /usr/bin/prometheus-alertmanager ] || missing+=(prometheus-alertmanager)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-tools: not root; install ${missing[*]} yourself (the tests that need them will skip)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packages' services never start here (no init); tests/e2e runs its own instances.
