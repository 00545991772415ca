#!/usr/bin/env bash
# Extract the shared qlib CSI 300 subset bins into a folder that pyqlib can
# read as provider_uri, with feature folders renamed to lower case.
#
# Why: qlib's LocalFeatureProvider looks up features/<instrument.lower()>/
# (e.g. features/sh600519/close.day.bin) on Linux, while the tarball has
# upper-case folders (features/SH600519/). calendars/ and instruments/ are
# kept as they are (qlib upper-cases instrument names itself).
#
# Usage:
#   bash scripts/qlib_data_copy.sh [DEST] [TARBALL]
#     DEST     default ~/.cache/alphasweep-qlib-data
#     TARBALL  default /work/shared/data/qlib_csi300/qlib_csi300_subset_bins.tar.gz
#              (found relative to the repository's ../shared too)
#
# Rerunnable: DEST is replaced as a whole. Prints DEST on success.
set -euo pipefail

DEST="${1:-$HOME/.cache/alphasweep-qlib-data}"
TARBALL="${2:-}"
if [[ -z "$TARBALL" ]]; then
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  for cand in \
    "$here/../../shared/data/qlib_csi300/qlib_csi300_subset_bins.tar.gz" \
    "$here/../shared/data/qlib_csi300/qlib_csi300_subset_bins.tar.gz" \
    /work/shared/data/qlib_csi300/qlib_csi300_subset_bins.tar.gz; do
    if [[ -f "$cand" ]]; then TARBALL="$cand"; break; fi
  done
fi
if [[ -z "$TARBALL" || ! -f "$TARBALL" ]]; then
  echo "qlib_data_copy.sh: tarball not found (pass it as the 2nd argument)" >&2
  exit 1
fi

DEST="${DEST%/}"
mkdir -p "$(dirname "$DEST")"
tmp="$(mktemp -d "$DEST.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$TARBALL" -C "$tmp"

# The tarball extracts to one top folder (qlib_csi300_subset/); accept also a
# tarball whose root is the provider dir itself.
if [[ -d "$tmp/calendars" ]]; then
  root="$tmp"
else
  root="$(dirname "$(find "$tmp" -maxdepth 3 -type d -name calendars | head -n 1)")"
fi
if [[ ! -d "$root/calendars" || ! -d "$root/features" ]]; then
  echo "qlib_data_copy.sh: no calendars/ and features/ in $TARBALL" >&2
  exit 1
fi

for d in "$root"/features/*/; do
  d="${d%/}"
  base="$(basename "$d")"
  lower="$(printf '%s' "$base" | tr '[:upper:]' '[:lower:]')"
  if [[ "$base" != "$lower" ]]; then
    if [[ -e "$root/features/$lower" ]]; then
      echo "qlib_data_copy.sh: both $base and $lower exist" >&2
      exit 1
    fi
    mv "$d" "$root/features/$lower"
  fi
done

rm -rf "$DEST"
mv "$root" "$DEST"
echo "$DEST"
