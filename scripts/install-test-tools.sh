#!/usr/bin/env bash
# Installs the Debian packages the tests (and, with "bench", the benchmarks) run for real. Each line names a
# command the tests call and the package that brings it; a package is installed only when its command is
# missing, so a second run costs nothing.
set -euo pipefail
need=()
want() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
want getfattr attr                    # extended attributes of captured files
want mkfifo coreutils                 # special files in fixture roots
want openssl openssl                  # grid certificates, keys and RFC 3820 proxies for the sanitizers
want ssh-keygen openssh-client        # SSH keys planted for the sanitizers
want kdb5_util krb5-kdc               # a throwaway KDC on 127.0.0.1: real ccaches and keytabs
want kadmin.local krb5-admin-server
want kinit krb5-user
want age age                          # the reference age tool: the vault must interoperate with it
want rpmbuild rpm                     # real RPMs and SQLite RPM databases for the packages step
want rpm2cpio rpm2cpio
want createrepo_c createrepo-c
want dnf dnf
want db5.3_load db5.3-util           # a BerkeleyDB rpm database (EL7/EL8 format) from real headers
want git git                          # git work areas
want qemu-system-x86_64 qemu-system-x86   # the booted test guest (test/e2e)
want qemu-img qemu-utils
want debootstrap debootstrap
want mkfs.ext4 e2fsprogs
want cpio cpio
want tcsh tcsh                        # the csh login hook (appliance/profile.d/vml.csh)
want shellcheck shellcheck            # the appliance's shell scripts
want systemd-analyze systemd          # verify the units; systemd-notify for EXTEND_TIMEOUT/STATUS
want python3 python3-minimal          # a notification socket receiver for systemd-notify in the tests
want qemu-storage-daemon qemu-system-common   # FUSE export of qcow2 images (appliance/customize-image.sh)
want strip binutils                   # the e2e guest's Node binary without its debug symbols
want ceph-mon ceph-mon                # a one-node Ceph cluster with radosgw: the real S3 of the s3:// tests
want ceph-osd ceph-osd
want ceph-mgr ceph-mgr
want radosgw radosgw
want ceph ceph-common
want chromium chromium                # web interface tests (playwright-core drives it)
want pg_ctlcluster postgresql         # a throwaway PostgreSQL for the server's metadata (test/helpers/postgres.ts)
if [ "${1:-}" = bench ]; then
  want restic restic
  want borg borgbackup
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
