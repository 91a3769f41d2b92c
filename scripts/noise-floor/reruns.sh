#!/bin/bash
# Reruns for the noise floor and the A/A rate of `measure compare` (README, "Comparing runs").
# Usage: reruns.sh MEASURE OUTDIR [INPUT]
#   MEASURE  the measure binary (a release build)
#   OUTDIR   a new folder for the results files (aa-N.json, b10-N.json, b15-N.json, t110-N.json)
#   INPUT    a file of a few MB for the xz command (default: 2 MiB of /usr/share/doc)
# Then: tally.py MEASURE OUTDIR. Takes about 5 minutes on 2 CPUs; keep the machine quiet.
set -u
M=$1; OUT=$2; mkdir -p "$OUT"
HERE=$(cd "$(dirname "$0")" && pwd)
STATE=$(mktemp -d)
cp "$HERE/serial.sh" "$STATE/"
INPUT=${3:-$STATE/input.bin}
if [ ! -e "$INPUT" ]; then
  find /usr/share/doc -type f | sort | xargs cat 2>/dev/null | head -c 2097152 > "$INPUT"
fi
for i in 0 1 2 3 4 5 6 7 8 9; do
  "$M" run -q -w primes:size=400000 -w synthetic:size=20000000 \
     --cmd "xz -T{threads} -3 --block-size=256KiB -c $INPUT" --name xz \
     -t 1,2 --budget 9 --no-ceilings --out "$OUT/aa-$i.json" > /dev/null 2>>"$OUT/log"
done
# A program whose serial share and length are read from files beside it: the same command line
# measures three programs.
run_sleep() { # label share total
  echo "$2" > "$STATE/serial_share"; echo "$3" > "$STATE/total"
  for i in 0 1 2 3 4 5 6 7 8 9; do
    "$M" run -q --cmd "$STATE/serial.sh {threads}" --name serial --kind io-bound -t 1,2,4,8 \
       --budget 3 --no-ceilings --out "$OUT/$1-$i.json" > /dev/null 2>>"$OUT/log"
  done
}
run_sleep b10 0.10 0.1
run_sleep b15 0.15 0.1
run_sleep t110 0.10 0.11
