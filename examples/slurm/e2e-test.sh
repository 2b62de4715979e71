#!/usr/bin/env bash
# End to end on a real scheduler: a one-node Slurm cluster on this machine runs a 4-task array
# of `nines run --shard auto` and a dependent merge job; the merged result must equal one local
# run exactly. Needs root (it installs and starts slurm-wlm and munge). Run from .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-target}
[[ $target == /* ]] || target=$root/$target
nines=$target/release/nines
[[ -x $nines ]] || cargo build --release --quiet
bash examples/slurm/cluster-up.sh >/dev/null

work=$(mktemp -d /tmp/nines-slurm.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
scenario=$root/scenarios/multi-az.toml
trials=400

merge_job=$(cd "$work" && NINES=$nines bash "$root/examples/slurm/submit.sh" "$scenario" "$work/out" 4 "$trials")
for _ in $(seq 1 240); do
  state=$(sacct -n -X -j "$merge_job" -o state 2>/dev/null | head -n1 | tr -d ' ' || true)
  if [[ -z $state ]]; then
    # No accounting: the job is done when the queue no longer lists it.
    squeue -h -j "$merge_job" 2>/dev/null | grep -q . || break
  elif [[ $state =~ ^(COMPLETED|FAILED|CANCELLED|TIMEOUT) ]]; then
    break
  fi
  sleep 1
done
if [[ ! -f $work/out/merged/summary.json ]]; then
  echo "slurm e2e: the merge job produced no summary; job logs:" >&2
  tail -n 20 "$work"/slurm-*.out >&2 || true
  exit 1
fi

"$nines" run "$scenario" --trials "$trials" --quiet --out "$work/local"
for f in summary.json trials.csv distributions.json; do
  cmp "$work/local/$f" "$work/out/merged/$f" || { echo "slurm e2e: $f differs from a local run" >&2; exit 1; }
done
shards=$(ls -d "$work"/out/shard-* | wc -l)
echo "slurm e2e: 1 passed, 0 failed ($shards shards merged equal one local run)"
