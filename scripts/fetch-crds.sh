#!/usr/bin/env bash
# The upstream CRDs at the versions the stack pins (scripts/crds.txt: sha256, file, url), for the
# strict custom-resource tests (OPSGEN_CRD_DIR); with --list scripts/crds-argocd.txt, Argo CD's
# (OPSGEN_ARGOCD_CRD_DIR), kept in a folder of their own. Every file is checked against its sha256.
#   bash scripts/fetch-crds.sh [--list FILE] DIR            download into DIR, then verify
#   bash scripts/fetch-crds.sh [--list FILE] --verify DIR   verify DIR only (exit 1 on a missing or changed file)
set -euo pipefail
list="$(cd "$(dirname "$0")" && pwd)/crds.txt"
verify_only=false
while [ $# -gt 1 ]; do
  case "$1" in
    --verify) verify_only=true; shift ;;
    --list) list="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    *) break ;;
  esac
done
dir="${1:?usage: fetch-crds.sh [--list FILE] [--verify] DIR}"
mkdir -p "$dir"
grep -v '^#' "$list" | while read -r sum file url; do
  [ -n "$sum" ] || continue
  if ! $verify_only; then
    curl --fail --silent --show-error --location --retry 3 --proto '=https' -o "$dir/$file.part" "$url"
    mv "$dir/$file.part" "$dir/$file"
  fi
  echo "$sum  $dir/$file"
done | sha256sum --check --strict --quiet
echo "fetch-crds: $(grep -vc '^#' "$list") CRDs in $dir match $(basename "$list")"
