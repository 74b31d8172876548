#!/usr/bin/env bash
# Behaviour unchanged by a refactor: run the same jobs with commit OLD (a git worktree put first on PYTHONPATH) and
# with the working tree, then compare their outputs exactly (benchmarks/same_results.py):
#   the default scan (600 rows), a global profile (2 masses, 2 starts, the paper's constraints), the posterior
#   preset by NUTS (2 chains x 150 + 150) and by nested sampling (2 runs x 100 live points).
# Usage: benchmarks/same_results.sh OLD [WORKDIR]   (about 6 minutes on 2 cores)
set -euo pipefail
old=${1:?usage: benchmarks/same_results.sh OLD [WORKDIR]}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$(mktemp -d)}
tree="$work/old-tree"
git -C "$root" worktree add -f "$tree" "$old" -q --detach
trap 'git -C "$root" worktree remove --force "$tree"' EXIT
for side in old new; do
  src=$root; [ "$side" = old ] && src=$tree
  start=$(date +%s)
  (
    cd "$work"
    export PYTHONPATH=$src
    python -m jaxtmm_cli scan --quiet --out "$side-scan" > "$side-scan.log" 2>&1
    python -m jaxtmm_cli scan --preset global --masses 2 --starts 2 --no-references --constraints paper --quiet \
      --out "$side-global" > "$side-global.log" 2>&1
    python -m jaxtmm_cli fit --preset posterior --chains 2 --warmup 150 --samples 150 --quiet --out "$side-nuts" \
      > "$side-nuts.log" 2>&1
    python -m jaxtmm_cli fit --preset posterior --sampler nested --runs 2 --nlive 100 --dlogz 0.5 --workers 1 --quiet \
      --out "$side-nested" > "$side-nested.log" 2>&1
  )
  echo "$side ($src): $(( $(date +%s) - start )) s"
done
python "$root/benchmarks/same_results.py" "$work"
