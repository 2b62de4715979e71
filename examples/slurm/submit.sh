#!/usr/bin/env bash
# Submits an array of N shards and a merge job that runs when all of them succeeded.
#   examples/slurm/submit.sh SCENARIO OUT N [TRIALS]
# Prints the merge job's id.
set -euo pipefail
scenario=$1 out=$2 shards=$3 trials=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
export SCENARIO=$scenario OUT=$out TRIALS=$trials NINES=${NINES:-nines}
array=$(sbatch --parsable --array=1-"$shards" --chdir="$PWD" --export=ALL "$here/nines-array.sbatch")
sbatch --parsable --dependency=afterok:"$array" --chdir="$PWD" --export=ALL "$here/merge.sbatch"
