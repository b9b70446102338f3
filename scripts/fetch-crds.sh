#!/usr/bin/env bash
# The upstream CRDs at the versions the stack pins (scripts/crds.txt: sha256, file, url), for the
# strict custom-resource tests (OPSGEN_CRD_DIR). Every file is checked against its sha256.
#   bash scripts/fetch-crds.sh DIR            download into DIR, then verify
#   bash scripts/fetch-crds.sh --verify DIR   verify DIR only (exit 1 on a missing or changed file)
set -euo pipefail
list="$(cd "$(dirname "$0")" && pwd)/crds.txt"
verify_only=false
if [ "${1:-}" = "--verify" ]; then verify_only=true; shift; fi
dir="${1:?usage: fetch-crds.sh [--verify] DIR}"
mkdir -p "$dir"
grep -v '^#' "$list" | while read -r sum file url; do
  [ -n "$sum" ] || continue
  if ! $verify_only; then
    curl --fail --silent --show-error --location --retry 3 --proto '=https' -o "$dir/$file.part" "$url"
    mv "$dir/$file.part" "$dir/$file"
  fi
  echo "$sum  $dir/$file"
done | sha256sum --check --strict --quiet
echo "fetch-crds: $(grep -vc '^#' "$list") CRDs in $dir match scripts/crds.txt"
