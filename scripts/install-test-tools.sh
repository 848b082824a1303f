#!/usr/bin/env bash
# Installs the Debian packages the tests (and, with "bench", the benchmarks) run for real: getfattr and
# setfattr for extended attributes; restic and borg as the benchmark's peers. Skips what is there already.
set -euo pipefail
need=()
command -v getfattr >/dev/null || need+=(attr)
command -v mkfifo >/dev/null || need+=(coreutils)
if [ "${1:-}" = bench ]; then
  command -v restic >/dev/null || need+=(restic)
  command -v borg >/dev/null || need+=(borgbackup)
  [ -x /usr/bin/time ] || need+=(time)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}"
