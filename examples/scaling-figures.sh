#!/usr/bin/env bash
# Scaling figures: trial-years per second for 1 and 2 threads, and peak memory (max RSS) for 10^5
# and 10^6 trials, on the availability-only variant of scenarios/multi-az.toml.
#   bash examples/scaling-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
nines=${CARGO_TARGET_DIR:-target}/release/nines
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The example without [traffic] (availability only), so the figures measure the core world.
python3 - "$work/scenario.toml" <<'PY'
import sys
s = open("scenarios/multi-az.toml").read()
s = s[:s.index("[traffic]")] + s[s.index("[slo]"):]
open(sys.argv[1], "w").write(s.replace('latency_p99 = "300ms"\n', ""))
PY
printf '%-10s %-8s %-18s %-14s\n' trials threads trial-years/s peak-RSS-MiB
for trials in 100000 1000000; do
  for threads in 1 2; do
    [[ $trials == 1000000 && $threads == 1 ]] && continue
    out=$( { /usr/bin/time -f 'RSS %M' "$nines" run "$work/scenario.toml" --trials "$trials" --threads "$threads" \
      --out "$work/out" | grep -o '[0-9]* trial-years/s' ; } 2>&1 )
    rate=$(grep -o '^[0-9]* trial-years/s' <<<"$out" | cut -d' ' -f1)
    rss=$(grep -o 'RSS [0-9]*' <<<"$out" | cut -d' ' -f2)
    printf '%-10s %-8s %-18s %-14s\n' "$trials" "$threads" "$rate" "$((rss / 1024))"
  done
done
