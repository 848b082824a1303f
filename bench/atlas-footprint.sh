#!/bin/bash
# One-off measurement for docs/performance.md ("ATLAS environment backups"): the fixture ATLAS home plus
# about 2 GB of release-like files under cvmfs/ and usr/ that the ATLAS recipes do not copy. Backs the root
# up with atlas-analysis and, for comparison, with a recipe that copies everything (a full copy of the root)
# and with full-root; restores the atlas-analysis version into a fresh root. Not part of the test suite
# (minutes, 4+ GB of disk). Run after `npm run build`, as root: bench/atlas-footprint.sh [WORK_DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/vml-atlas-bench-XXXXXX)}
agent="$repo/node_modules/.bin/node $repo/dist/agent/cli/main.js"
root=$work/A
mkdir -p "$root/etc" "$root/home"
printf 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n' > "$root/etc/passwd"
printf 'root:x:0:\nalice:x:1000:\n' > "$root/etc/group"
rm -rf "$root/home/alice" "$work"/lb-* "$work/B"
cp -a "$repo/test/fixtures/atlas-home" "$root/home/alice" && rm "$root/home/alice/README.md"
# Release-like trees: 1 GiB under cvmfs (an AnalysisBase InstallArea), 1 GiB under usr/lib64; random
# bytes, so a full copy cannot shrink them by compression or deduplication (the worst case for it).
gen() { # DIR COUNT: COUNT files of 1 MiB
  [ -d "$1" ] && return; mkdir -p "$1"; for i in $(seq 1 "$2"); do head -c 1048576 /dev/urandom > "$1/lib$i.so"; done
}
gen "$root/cvmfs/atlas.cern.ch/repo/sw/software/24.2/AnalysisBase/24.2.35/InstallArea/x86_64-el9-gcc13-opt/lib" 1024
gen "$root/usr/lib64" 1024
chown -R 1000:1000 "$root/home/alice"
rpm --root "$root" --dbpath /var/lib/rpm --initdb
printf 'version: 1\nname: everything\ndescription: A full copy of the root\nsteps:\n  - kind: files\n    with: {include: ["**"]}\n' > "$work/everything.yaml"

measure() { # NAME LOGBOOK RECIPE-ARGS...
  local name=$1 lb=$2; shift 2
  $agent init --root "$root" --logbook "dir:$lb" --entry alice/bench --no-config > /dev/null
  local t0=$(date +%s.%N)
  $agent backup --root "$root" --logbook "dir:$lb" --entry alice/bench "$@" > /dev/null 2>&1 || [ $? = 3 ]
  local t1=$(date +%s.%N)
  printf '%-16s %12s bytes  %6.2f s\n' "$name" "$(du -sb "$lb" | cut -f1)" "$(echo "$t1 - $t0" | bc)"
}
measure atlas-analysis "$work/lb-atlas"
measure full-root "$work/lb-full-root" --recipe full-root
measure everything "$work/lb-everything" --recipe "$work/everything.yaml"
mkdir -p "$work/B/etc" && cp "$root/etc/passwd" "$root/etc/group" "$work/B/etc/"
t0=$(date +%s.%N)
rpm --root "$work/B" --dbpath /var/lib/rpm --initdb
$agent restore alice/bench@v1 --root "$work/B" --logbook "dir:$work/lb-atlas" > /dev/null 2>&1 || [ $? = 3 ]
t1=$(date +%s.%N)
printf '%-16s %6.2f s\n' "restore" "$(echo "$t1 - $t0" | bc)"
echo "work dir: $work (remove it when done)"
