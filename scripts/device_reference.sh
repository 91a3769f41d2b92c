#!/usr/bin/env bash
# The reference measurements of a machine we do not have here (16 CPUs), in one go: run from the
# repository root with a release `measure` built beforehand (target/release/measure); everything
# lands in $OUT (default: ./device-out). Used for results/reference/*-vm16-*.json.
set -u
OUT=${OUT:-device-out}
mkdir -p "$OUT"
M=./target/release/measure
export XDG_CACHE_HOME=$(mktemp -d)
stamp() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(stamp)" 'BEGIN { printf "%.1f", b - a }'; }
{
  nproc; uptime; cat /proc/cpuinfo | grep -m1 "model name"
  $M machine > "$OUT/machine.txt" 2>&1
  $M machine --json > "$OUT/machine.json" 2> "$OUT/machine.err"
  $M run --dry-run > "$OUT/dry-run.txt" 2>&1
  $M run --dry-run --json > "$OUT/dry-run.json" 2>&1
  t0=$(stamp)
  $M run --out "$OUT/vm16-default.json" > "$OUT/vm16-default.txt" 2>&1
  echo "default run exit $? wall $(since "$t0") s"
  for b in rayon threads; do
    t0=$(stamp)
    $M run -w three-body -t 1,2 --backend $b --min-rounds 5 --max-rounds 5 --out "$OUT/vm16-three-body-$b.json" > "$OUT/vm16-three-body-$b.txt" 2>&1
    echo "three-body $b exit $? wall $(since "$t0") s"
  done
  t0=$(stamp)
  $M run -w primes -w mc-pi -t 1,2,4,8,16 --pin compact --budget 20 --out "$OUT/vm16-pin-compact.json" > "$OUT/vm16-pin-compact.txt" 2>&1
  echo "pinned run exit $? wall $(since "$t0") s"
  uptime
} > "$OUT/log.txt" 2>&1
cat "$OUT/log.txt"
# The device brings back only a few files: everything also travels as one archive.
tar -czf "$OUT.tar.gz" -C "$OUT" . && mv "$OUT.tar.gz" "$OUT/all.tar.gz"
