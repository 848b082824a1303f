#!/usr/bin/env bash
# Builds the EL9 RPM of vml-agent into dist/rpm/ with rpmbuild (Debian's "rpm" package works):
# the bundle first (appliance/build-bundle.ts), then a source tarball of it and the appliance files.
#
#   appliance/build-rpm.sh [OUTDIR]     (default dist/rpm; the npm script "appliance:rpm" runs this)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
node=${NODE:-$repo/node_modules/.bin/node}
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo/package.json" | head -n 1)
mkdir -p "${1:-$repo/dist/rpm}"
out=$(cd "${1:-$repo/dist/rpm}" && pwd)
top=$out/build
rm -rf "$top"
mkdir -p "$top"/{SOURCES,SPECS,BUILD,RPMS,SRPMS} "$out"

stage=$top/vml-agent-$version
mkdir -p "$stage/dist" "$stage/docs"
"$node" "$repo/appliance/build-bundle.ts" "$stage/dist/appliance" >/dev/null
cp -r "$repo/appliance" "$stage/appliance"
cp "$repo/docs/appliance.md" "$stage/docs/appliance.md"
tar -C "$top" -czf "$top/SOURCES/vml-agent-$version.tar.gz" "vml-agent-$version"
rm -rf "$stage"

macros=()
# Debian's rpm has no systemd macros (systemd-rpm-macros is an EL/Fedora package): bring equivalents.
if [ "$(rpm --eval '%{?_unitdir}')" = "" ]; then
  macros=(--load "$repo/appliance/rpm/macros.systemd-fallback")
fi
# --nodeps: BuildRequires are EL9 package names, checked against an EL9 build root, not this machine.
rpmbuild -bb --nodeps "${macros[@]}" \
  --define "_topdir $top" \
  --define "vml_version $version" \
  --define "dist .el9" \
  "$repo/appliance/rpm/vml-agent.spec" >"$top/rpmbuild.log" 2>&1 || {
  cat "$top/rpmbuild.log" >&2
  exit 1
}
find "$top/RPMS" -name '*.rpm' -exec cp {} "$out/" \;
rm -rf "$top"
ls "$out"/*.rpm
