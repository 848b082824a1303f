#!/usr/bin/env bash
# Figures for the packages step (docs/performance.md): builds one spec with N subpackages of F files each
# (default 1000 x 30), installs them with rpm into a scratch root (a genuine SQLite rpmdb), then times the
# built vml-agent backing up that root with a packages-only recipe, and the same after an un-checkpointed
# write-ahead log is simulated by keeping the log. Needs rpmbuild and `npm run build` first. Slow: rpmbuild
# took 9 minutes for 1000 x 30 on the 2-core development VM (the backups take seconds).
set -euo pipefail
N=${1:-1000}
F=${2:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
node=$here/node_modules/.bin/node
work=$(mktemp -d /tmp/vml-bench-packages-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
printf '%%_topdir %s/rpmbuild\n%%_dbpath /var/lib/rpm\n' "$work" > "$work/home/.rpmmacros"
export HOME=$work/home
{
  printf 'Name: vml-bench\nVersion: 1.0\nRelease: 1.el9\nSummary: bench\nLicense: MIT\nBuildArch: noarch\n'
  printf '%%description\nbench\n'
  for i in $(seq 1 "$N"); do
    printf '%%package -n vml-bench-%s\nSummary: bench package %s\n%%description -n vml-bench-%s\nbench\n' "$i" "$i" "$i"
  done
  printf '%%install\nfor i in $(seq 1 %s); do mkdir -p %%{buildroot}/usr/share/vml-bench-$i; for f in $(seq 1 %s); do echo $i.$f > %%{buildroot}/usr/share/vml-bench-$i/file-$f; done; done\n' "$N" "$F"
  for i in $(seq 1 "$N"); do printf '%%files -n vml-bench-%s\n/usr/share/vml-bench-%s\n' "$i" "$i"; done
} > "$work/bench.spec"
t0=$(date +%s.%N)
rpmbuild -bb --quiet "$work/bench.spec" >/dev/null 2>&1
t1=$(date +%s.%N)
root=$work/root
mkdir -p "$root/etc"
echo 'alice:x:1000:1000::/home/alice:/bin/bash' > "$root/etc/passwd"
rpm --root "$root" --dbpath /var/lib/rpm -i --justdb --nodeps "$work"/rpmbuild/RPMS/noarch/vml-bench-[0-9]*.rpm
t2=$(date +%s.%N)
printf 'version: 1\nname: bench-packages\ndescription: bench\nsteps:\n  - kind: packages\n' > "$work/bench-packages.yaml"
agent() { "$node" "$here/dist/agent/cli/main.js" "$@"; }
agent init --root "$root" --logbook "dir:$work/lb" --no-config >/dev/null
t3=$(date +%s.%N)
agent backup --root "$root" --logbook "dir:$work/lb" --entry alice/bench --recipe "$work/bench-packages.yaml" >/dev/null
t4=$(date +%s.%N)
# The same database read through SQLite itself (the path taken when rpmdb.sqlite-wal is not empty).
"$node" --no-warnings -e "const {DatabaseSync}=require('node:sqlite'); const d=new DatabaseSync(process.argv[1]); d.exec('PRAGMA wal_autocheckpoint=0'); d.exec('CREATE TABLE IF NOT EXISTS vml_bench(x)'); d.exec('INSERT INTO vml_bench VALUES (1)'); process.kill(process.pid,'SIGKILL')" "$root/var/lib/rpm/rpmdb.sqlite" || true
t5=$(date +%s.%N)
agent backup --root "$root" --logbook "dir:$work/lb" --entry alice/bench --recipe "$work/bench-packages.yaml" >/dev/null
t6=$(date +%s.%N)
db=$(stat -c %s "$root/var/lib/rpm/rpmdb.sqlite")
awk -v n="$N" -v f="$F" -v db="$db" -v build="$(echo "$t1 - $t0" | bc)" -v inst="$(echo "$t2 - $t1" | bc)" \
  -v main="$(echo "$t4 - $t3" | bc)" -v wal="$(echo "$t6 - $t5" | bc)" 'BEGIN {
  printf "packages: %d, files each: %d, rpmdb.sqlite: %.1f MiB\n", n, f, db / 1048576
  printf "rpmbuild: %.1f s, rpm -i --justdb: %.1f s\n", build, inst
  printf "vml-agent backup (packages only), main file read with sql.js: %.2f s\n", main
  printf "vml-agent backup, write-ahead log present (copy + node:sqlite): %.2f s\n", wal
}'
