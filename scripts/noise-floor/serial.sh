#!/bin/sh
# One run of a program whose serial share and total time are read from files beside it:
# sleep the serial share, then split the rest over $1 sleepers.
dir=$(dirname "$0")
j=$1
b=$(cat "$dir/serial_share")
t=$(cat "$dir/total")
set -- $(awk -v t="$t" -v b="$b" -v j="$j" 'BEGIN { printf "%.6f %.6f\n", t*b, t*(1-b)/j }')
sleep "$1"
i=0
while [ "$i" -lt "$j" ]; do sleep "$2" & i=$((i+1)); done
wait
