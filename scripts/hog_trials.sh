#!/usr/bin/env bash
# Interference trials (issue 12): is a point measured while CPU hogs ran tagged `disturbed`, and
# is a quiet run ever tagged? Prints one line per trial and the two counts.
#
#   cargo build --release && scripts/hog_trials.sh [target/release/measure] [trials]
#
# Each run is `measure run -w primes:size=600000 -t 1,2` with 16 rounds (samples of 18-36 ms here).
# Hog trials start one busy loop per usable CPU 0.35 s into the run (about a third of it) and stop
# them when it ends; quiet trials each wait until the 1-minute load is below 0.1. Runs take a few
# minutes, most of it waiting for the load to settle. Results go to a temporary folder.
set -euo pipefail
M=$(realpath "${1:-target/release/measure}")
TRIALS=${2:-20}
CPUS=$(nproc)
DIR=$(mktemp -d)
cd "$DIR"
tagged() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(sum('disturbed' in p['tags'] for p in j['workloads'][0]['points']))" "$1"; }
run() { "$M" run -w primes:size=600000 -t 1,2 --min-rounds 16 --max-rounds 16 --no-ceilings -q --out "$1" 2>/dev/null; }

flagged=0
for i in $(seq 1 "$TRIALS"); do
  run hog$i.json &
  pid=$!
  sleep 0.35
  hogs=()
  for _ in $(seq 1 "$CPUS"); do sh -c 'while :; do :; done' & hogs+=($!); done
  wait $pid
  kill "${hogs[@]}" 2>/dev/null || true
  wait "${hogs[@]}" 2>/dev/null || true
  t=$(tagged hog$i.json)
  [ "$t" -gt 0 ] && flagged=$((flagged + 1))
  echo "hog trial $i: $t points tagged"
done

false_pos=0
for i in $(seq 1 "$TRIALS"); do
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    python3 -c "import sys; sys.exit(0 if $load < 0.1 else 1)" && break
    sleep 5
  done
  run quiet$i.json
  t=$(tagged quiet$i.json)
  [ "$t" -gt 0 ] && false_pos=$((false_pos + 1))
  echo "quiet trial $i (load at start $load): $t points tagged"
done
echo "hogs flagged in $flagged/$TRIALS; quiet runs falsely flagged in $false_pos/$TRIALS (files in $DIR)"
