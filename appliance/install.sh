#!/usr/bin/env bash
# Installs the appliance's files into DESTDIR with the layout of docs/appliance.md ("Install layout"): the one
# place that layout is written down in code. The RPM's %install, customize-image.sh and the e2e guest use it.
#
#   appliance/install.sh DESTDIR [--bundle DIR] [--node PATH] [--enable]
#
#   --bundle DIR  the bundle from appliance/build-bundle.ts (default dist/appliance)
#   --node PATH   also copy this Node.js binary to /usr/libexec/vml/node (for guests without Node >= 22.15)
#   --enable      enable the units the way "systemctl enable" would (symlinks), for an offline image;
#                 package managers leave this to the %systemd_post macros instead
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
[ $# -ge 1 ] || { echo "usage: $0 DESTDIR [--bundle DIR] [--node PATH] [--enable]" >&2; exit 2; }
dest=$1
shift
bundle=$repo/dist/appliance
node=
enable=no
while [ $# -gt 0 ]; do
  case $1 in
  --bundle) bundle=$2; shift 2 ;;
  --node) node=$2; shift 2 ;;
  --enable) enable=yes; shift ;;
  *) echo "$0: unknown option \"$1\"" >&2; exit 2 ;;
  esac
done
[ -f "$bundle/vml-agent.mjs" ] || {
  echo "$0: no bundle in \"$bundle\": run \"node appliance/build-bundle.ts\" first" >&2
  exit 1
}

libexec=$dest/usr/libexec/vml
units=$dest/usr/lib/systemd/system
install -d -m 0755 "$libexec" "$libexec/recipes" "$units" "$dest/usr/bin" "$dest/usr/lib/tmpfiles.d" \
  "$dest/etc/profile.d" "$dest/etc/vml/recipes" "$dest/var/lib/vml" "$dest/usr/share/doc/vml-agent"
install -m 0755 "$bundle/vml-agent.mjs" "$libexec/vml-agent.mjs"
install -m 0644 "$bundle/chunk-worker.js" "$bundle/encode-worker.js" "$bundle/package.json" "$libexec/"
# Recipes with their subdirectories (baselines/): directories 0755, files 0644.
(cd "$bundle/recipes" && find . -type d -exec install -d -m 0755 "$libexec/recipes/{}" \; &&
  find . -type f -exec install -m 0644 {} "$libexec/recipes/{}" \;)
[ -z "$node" ] || install -m 0755 "$node" "$libexec/node"
install -m 0755 "$here/bin/vml-agent" "$dest/usr/bin/vml-agent"
install -m 0644 "$here"/systemd/*.service "$here"/systemd/*.timer "$units/"
install -d -m 0755 "$dest/usr/lib/systemd/system-preset"
install -m 0644 "$here/systemd-preset/80-vml.preset" "$dest/usr/lib/systemd/system-preset/80-vml.preset"
install -m 0644 "$here/tmpfiles.d/vml.conf" "$dest/usr/lib/tmpfiles.d/vml.conf"
install -m 0644 "$here/profile.d/vml.sh" "$here/profile.d/vml.csh" "$dest/etc/profile.d/"
# The configuration belongs to the administrator: never overwrite one that is there.
[ -e "$dest/etc/vml/agent.yaml" ] || install -m 0644 "$here/etc/agent.yaml" "$dest/etc/vml/agent.yaml"
install -m 0644 "$repo/docs/appliance.md" "$dest/usr/share/doc/vml-agent/appliance.md"

if [ "$enable" = yes ]; then
  # What "systemctl enable" does for WantedBy=multi-user.target; the timer stays off by default.
  wants=$dest/etc/systemd/system/multi-user.target.wants
  install -d -m 0755 "$wants"
  for unit in vml-backup-shutdown.service vml-login-warnings.service; do
    ln -sfn "/usr/lib/systemd/system/$unit" "$wants/$unit"
  done
fi
