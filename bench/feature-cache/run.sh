#!/usr/bin/env bash
# Frozen-backbone feature cache: wall time of the same head-only training with the cache (each
# image's backbone features computed once) and without it (--no-feature-cache: the frozen backbone
# runs in every step), alternating, ROUNDS times. Usage:
#   bench/feature-cache/run.sh [DATA] [BACKBONE] [EPOCHS] [ROUNDS]
# DATA defaults to the shipped samples; BACKBONE to a full-width from-scratch ResNet18 (the
# seed notebook's ImageNet backbone has the same layout and cost; use imagenet where it can be
# downloaded, or torchscript:FILE for an exported ResNet18). XRAY overrides the command (./xray).
# The seed preset's full timing (10 tuning trials, cached vs not) is:
#   ./xray tune --data ../shared/data/chest_xray --preset seed -H backbone=BACKBONE --out runs/tune-seed-cached
#   ./xray tune --data ../shared/data/chest_xray --preset seed -H backbone=BACKBONE --no-feature-cache --out runs/tune-seed-uncached
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
data=${1:-$here/sample-data/chest_xray}
backbone=${2:-scratch}
epochs=${3:-5}
rounds=${4:-1}
xray=${XRAY:-$here/xray}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for round in $(seq 1 "$rounds"); do
  for mode in uncached cached; do
    extra=()
    [ "$mode" = uncached ] && extra=(--no-feature-cache)
    start=$(date +%s.%N)
    "$xray" train --data "$data" --recipe seed-notebook --backbone "$backbone" --epochs "$epochs" --seed 42 \
        --device cpu --progress-every 0 --out "$out/$mode-$round" "${extra[@]}" > "$out/$mode-$round.txt" 2> "$out/$mode-$round.log"
    end=$(date +%s.%N)
    f1=$(grep -o 'F1 [0-9.]*' "$out/$mode-$round.txt" | head -1)
    printf '%-9s round %d: %6.1f s wall, %s\n' "$mode" "$round" "$(echo "$end - $start" | bc)" "$f1"
    grep -h "Val_epoch $epochs:" "$out/$mode-$round.log" | sed 's/^.*Val_epoch/    Val_epoch/' | cut -c1-80
  done
done
