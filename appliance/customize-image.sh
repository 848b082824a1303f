#!/usr/bin/env bash
# Bakes vml-agent into a guest disk image offline (no boot): the files of appliance/install.sh, or an RPM
# installed into the image's own RPM database, and the units enabled by symlinks, as "systemctl enable" would.
#
#   appliance/customize-image.sh IMAGE [--rpm FILE | --bundle DIR] [--node PATH] [--config agent.yaml]
#                                      [--partition N] [--method mount|debugfs] [--dry-run]
#
# IMAGE is raw, qcow2, vmdk or vdi (changed in place). A non-raw image is presented as a raw file by a
# qemu-storage-daemon FUSE export (no nbd module needed). The file system is then loop-mounted (whole disk or
# partition N, default: the partition with /etc/os-release); --method debugfs writes into an unpartitioned
# ext4 file system with debugfs instead, for machines where mounting is not allowed.
#   --rpm FILE        install this RPM with the host's rpm into the image's database (EL9: SQLite rpmdb)
#                     instead of copying the files; --node and the default install.sh payload are then unused
#   --bundle DIR      the bundle to install (default dist/appliance, from appliance/build-bundle.ts)
#   --node PATH       also install a Node.js binary to /usr/libexec/vml/node (a guest without Node >= 22.15)
#   --config FILE     install FILE as /etc/vml/agent.yaml (logbook and entry for this image)
#   --dry-run         print what would be done, change nothing
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '4,5p' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 1 ] || usage
image=$1
shift
rpmfile='' bundle='' node='' config='' partition='' method=mount dry=no
while [ $# -gt 0 ]; do
  case $1 in
  --rpm) rpmfile=$2; shift 2 ;;
  --bundle) bundle=$2; shift 2 ;;
  --node) node=$2; shift 2 ;;
  --config) config=$2; shift 2 ;;
  --partition) partition=$2; shift 2 ;;
  --method) method=$2; shift 2 ;;
  --dry-run) dry=yes; shift ;;
  -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "customize-image: unknown option \"$1\"" >&2; usage ;;
  esac
done
die() { echo "customize-image: $*" >&2; exit 1; }
[ -f "$image" ] || die "no image \"$image\""
case $method in mount | debugfs) ;; *) die "--method must be mount or debugfs, not \"$method\"" ;; esac
format=$(qemu-img info --output=json "$image" | sed -n 's/^ *"format": "\([a-z0-9]*\)".*/\1/p' | head -n 1)
[ -n "$format" ] || die "cannot tell the format of \"$image\" (qemu-img info failed)"

work=$(mktemp -d)
raw=$image qsd_pid='' loop='' mnt=''
cleanup() {
  set +e
  [ -n "$mnt" ] && mountpoint -q "$mnt" && umount "$mnt"
  [ -n "$loop" ] && losetup -d "$loop"
  if [ -n "$qsd_pid" ]; then kill "$qsd_pid"; while kill -0 "$qsd_pid" 2>/dev/null; do sleep 0.1; done; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The payload, staged on the host first so both methods copy the same tree.
stage=$work/stage
if [ -z "$rpmfile" ]; then
  "$here/install.sh" "$stage" --enable ${bundle:+--bundle "$bundle"} ${node:+--node "$node"}
  [ -z "$config" ] || install -m 0644 "$config" "$stage/etc/vml/agent.yaml"
fi
if [ "$dry" = yes ]; then
  echo "would customize $image ($format) by $method with ${rpmfile:-the bundle}:"
  [ -z "$rpmfile" ] && (cd "$stage" && find . -type f -o -type l | sed 's/^\.//' | sort)
  [ -n "$rpmfile" ] && rpm -qlp "$rpmfile"
  exit 0
fi

if [ "$format" != raw ]; then
  raw=$work/raw
  touch "$raw"
  qemu-storage-daemon \
    --blockdev "driver=file,node-name=file,filename=$(realpath "$image")" \
    --blockdev "driver=$format,node-name=disk,file=file" \
    --export "type=fuse,id=exp,node-name=disk,mountpoint=$raw,writable=on" \
    --pidfile "$work/qsd.pid" --daemonize
  qsd_pid=$(cat "$work/qsd.pid")
fi

if [ "$method" = debugfs ]; then
  [ -z "$rpmfile" ] || die "--rpm needs --method mount (rpm writes its database through the file system)"
  # One debugfs command per directory, file and symlink of the staged tree; modes follow the stage's.
  cmds=$work/debugfs.cmds
  (cd "$stage" && find . -mindepth 1 | sed 's/^\.//' | sort) | while IFS= read -r path; do
    src=$stage$path
    if [ -L "$src" ]; then
      printf 'symlink %s %s\n' "$path" "$(readlink "$src")"
    elif [ -d "$src" ]; then
      printf 'mkdir %s\n' "$path"
    else
      printf 'rm %s\nwrite %s %s\nsif %s mode 0%o\n' "$path" "$src" "$path" "$path" "0x$(stat -c '%f' "$src")"
    fi
  done >"$cmds"
  # debugfs reports an existing directory or a missing file as a message, not a failure: both are fine.
  debugfs -w -f "$cmds" "$raw" >"$work/debugfs.log" 2>&1 || die "debugfs failed: $(tail -n 3 "$work/debugfs.log")"
  e2fsck -fn "$raw" >/dev/null 2>&1 || die "the file system in \"$image\" has errors after writing"
  echo "customized $image ($format) by debugfs"
  exit 0
fi

loop=$(losetup --find --show --partscan "$raw")
mnt=$work/mnt
mkdir -p "$mnt"
parts=$(lsblk -lnpo NAME "$loop" | tail -n +2)
if [ -n "$partition" ]; then
  mount "${loop}p$partition" "$mnt"
elif [ -z "$parts" ]; then
  mount "$loop" "$mnt"
else
  for p in $parts; do
    mount "$p" "$mnt" 2>/dev/null || continue
    [ -e "$mnt/etc/os-release" ] && break
    umount "$mnt"
  done
  mountpoint -q "$mnt" || die "no partition of \"$image\" holds a root file system (/etc/os-release); use --partition N"
fi

if [ -n "$rpmfile" ]; then
  rpm --root "$mnt" --dbpath /var/lib/rpm --nodeps -i "$rpmfile"
  wants=$mnt/etc/systemd/system/multi-user.target.wants
  mkdir -p "$wants"
  for unit in vml-backup-shutdown.service vml-login-warnings.service; do
    ln -sfn "/usr/lib/systemd/system/$unit" "$wants/$unit"
  done
  [ -z "$config" ] || install -m 0644 "$config" "$mnt/etc/vml/agent.yaml"
else
  cp -a "$stage/." "$mnt/"
fi
echo "customized $image ($format) by mount"
