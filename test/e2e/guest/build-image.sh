#!/usr/bin/env bash
# Builds the base of the end-to-end test guest: a small bootable Debian bookworm (systemd, udev, a stock
# Debian kernel with its modules pruned to what a QEMU guest with virtio disks and 9p shares needs), a user
# alice with a password for the serial-console login, the two 9p shares in fstab, and a Node binary where
# the EL9 "nodejs" package puts it (/usr/bin/node). The agent itself is NOT in this image: image.ts copies
# the freshly built appliance into a second layer, so a code change does not rebuild this one (~2 min).
#
#   build-image.sh OUTDIR NODE_BINARY
#
# Writes OUTDIR/rootfs.raw (ext4, sparse), OUTDIR/vmlinuz, OUTDIR/initrd.img. Needs root (debootstrap,
# chroot), debootstrap, mkfs.ext4 and network access to a Debian mirror (debootstrap's default, or
# $DEBIAN_MIRROR).
set -euo pipefail
OUT=${1:?usage: build-image.sh OUTDIR NODE_BINARY}
NODE_BIN=${2:?usage: build-image.sh OUTDIR NODE_BINARY}
[ "$(id -u)" -eq 0 ] || { echo "build-image.sh: debootstrap and chroot need root" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vml-e2e-build.XXXXXX")
ROOTFS=$WORK/rootfs
cleanup() {
  umount "$ROOTFS/proc" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
in_guest() { chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

# The modules a QEMU guest needs: virtio disks and PCI, ext4 for the root, 9p for the shares. Everything
# else of the ~400 MB module tree goes (pruned below, after the initrd is built).
MODULES=(virtio_pci virtio_blk virtio_console ext4 9p 9pnet_virtio fuse virtiofs)

echo "build-image: debootstrap (minbase, bookworm)" >&2
# shellcheck disable=SC2086 # DEBIAN_MIRROR is one optional argument
debootstrap --variant=minbase --include=systemd-sysv,udev,kmod,procps,initramfs-tools,zstd \
  bookworm "$ROOTFS" ${DEBIAN_MIRROR:-} >"$WORK/debootstrap.log" 2>&1 || {
  tail -30 "$WORK/debootstrap.log" >&2
  exit 1
}

# A small initrd with just the modules above: the stock "most" policy takes ~20 s and 30 MB more.
printf 'MODULES=list\nCOMPRESS=zstd\n' >"$ROOTFS/etc/initramfs-tools/conf.d/vml-e2e.conf"
printf '%s\n' "${MODULES[@]}" >>"$ROOTFS/etc/initramfs-tools/modules"
mount -t proc proc "$ROOTFS/proc"
echo "build-image: kernel" >&2
in_guest apt-get install -y -qq --no-install-recommends linux-image-amd64 >"$WORK/kernel.log" 2>&1 || {
  tail -30 "$WORK/kernel.log" >&2
  exit 1
}
in_guest apt-get clean
umount "$ROOTFS/proc"

KVER=$(basename "$(find "$ROOTFS/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -1)")
cp "$ROOTFS/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
cp "$ROOTFS/boot/initrd.img-$KVER" "$OUT/initrd.img"

# Keep the listed modules and what they depend on (modules.dep is "path: dep dep ..."); drop the rest.
MODDIR=$ROOTFS/lib/modules/$KVER
keep=$WORK/keep-modules
: >"$keep"
for m in "${MODULES[@]}"; do
  in_guest modprobe -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }' >>"$keep"
done
find "$MODDIR/kernel" -name '*.ko*' | while read -r ko; do
  grep -qxF "${ko#"$ROOTFS"}" "$keep" || rm -f "$ko"
done
find "$MODDIR/kernel" -type d -empty -delete
in_guest depmod "$KVER"
rm -rf "${ROOTFS:?}/boot"/* "$ROOTFS/usr/share/doc"/* "$ROOTFS/usr/share/man"/* "$ROOTFS/usr/share/locale"/* \
  "$ROOTFS/var/lib/apt/lists"/* "$ROOTFS/var/cache/apt"/*.bin

echo "build-image: configuration" >&2
echo vml-guest >"$ROOTFS/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 vml-guest\n' >"$ROOTFS/etc/hosts"
cat >"$ROOTFS/etc/fstab" <<'FSTAB'
# The root is the virtio disk; the logbook and the results are host directories shared over 9p. _netdev
# makes them remote file systems, so systemd unmounts them only after the shutdown backup has stopped.
/dev/vda   /             ext4  rw,relatime 0 1
logbook    /mnt/logbook  9p    trans=virtio,version=9p2000.L,msize=512000,_netdev 0 0
results    /mnt/results  9p    trans=virtio,version=9p2000.L,msize=512000,_netdev 0 0
FSTAB
mkdir -p "$ROOTFS/mnt/logbook" "$ROOTFS/mnt/results"
# A persistent journal, so a later boot can read how the previous shutdown went (journalctl -b -1).
mkdir -p "$ROOTFS/var/log/journal"
# No network in the guest: nothing to wait for, and no timers that wake apt during a test.
ln -sf /dev/null "$ROOTFS/etc/systemd/system/apt-daily.timer"
ln -sf /dev/null "$ROOTFS/etc/systemd/system/apt-daily-upgrade.timer"
ln -sf /dev/null "$ROOTFS/etc/systemd/system/e2scrub_all.timer"
ln -sf /dev/null "$ROOTFS/etc/systemd/system/fstrim.timer"
# Passwords for the serial-console login (a throwaway test guest with no network).
in_guest useradd --create-home --uid 1000 --shell /bin/bash alice
printf 'alice:alice\nroot:root\n' | in_guest chpasswd
# The serial console is 80x24 by default: long lines of warnings would wrap where the test reads them.
printf 'stty cols 200 2>/dev/null\n' >>"$ROOTFS/home/alice/.profile"

# Node: the host's (it links only glibc, libstdc++ and libgcc_s), without its debug symbols.
cp "$NODE_BIN" "$ROOTFS/usr/bin/node"
strip --strip-debug "$ROOTFS/usr/bin/node"
chmod 755 "$ROOTFS/usr/bin/node"

echo "build-image: ext4 image" >&2
mkfs.ext4 -q -L vml-guest -d "$ROOTFS" "$WORK/rootfs.raw" 3G
mv "$WORK/rootfs.raw" "$OUT/rootfs.raw"
echo "build-image: done ($(du -sh --apparent-size "$OUT/rootfs.raw" | cut -f1) apparent, $(du -sh "$OUT/rootfs.raw" | cut -f1) used)" >&2
