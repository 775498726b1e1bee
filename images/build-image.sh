#!/usr/bin/env bash
# build-image.sh: builds the ConPaaS SQL VM image (one image for managers and
# agents) as a qcow2 disk for OpenNebula's KVM hosts.
#
# Usage (as root, on a Debian or Ubuntu machine):
#   images/build-image.sh [-o OUTPUT] [-s SIZE] [-b BIN_DIR] [-m MIRROR]
#     -o  the image to write (default conpaassql.qcow2)
#     -s  disk size (default 4G)
#     -b  directory holding the release binaries conpaassql-agent and
#         conpaassql-manager (default .build/release; build them with
#         swift build -c release --static-swift-stdlib)
#     -m  Debian mirror (default http://deb.debian.org/debian)
#
# What it makes: Debian bookworm (debootstrap) with a kernel, EXTLINUX on an
# MBR disk (no partition device nodes needed, so it also runs in a container),
# mariadb-server (its own service disabled: the agent runs mariadbd),
# haproxy (its own service disabled: a manager VM's conpaassql-manager runs it
# for the service's writer and reader endpoints),
# the runtime libraries of the binaries, the binaries in /usr/local/bin and the
# repository's contextualization/ in /usr/local/share/conpaassql. Two units
# run at boot:
#   conpaassql-network  mounts the context CD (label CONTEXT) on /mnt, sources
#                       context.sh and configures the interface whose MAC is
#                       ETH0_MAC (else eth0) from ETH0_IP/MASK/GATEWAY/DNS;
#   conpaassql-boot     runs contextualization/boot-hook.sh, which sources
#                       context.sh, runs START_SCRIPT_BASE64 (the agent's init.sh
#                       that the manager sends) or else the init.sh of
#                       CONPAASSQL_ROLE, which starts the agent or the manager.
# Nothing is downloaded but Debian packages. Needs debootstrap, qemu-utils,
# e2fsprogs, fdisk (sfdisk), util-linux (losetup), extlinux and syslinux-common.
set -euo pipefail

output=conpaassql.qcow2
size=4G
bin_dir=.build/release
mirror=http://deb.debian.org/debian
while getopts 'o:s:b:m:' option; do
    case $option in
    o) output=$OPTARG ;;
    s) size=$OPTARG ;;
    b) bin_dir=$OPTARG ;;
    m) mirror=$OPTARG ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
    esac
done

fail() {
    echo "build-image.sh: $*" >&2
    exit 1
}

repository=$(cd "$(dirname "$0")/.." && pwd)
[[ $(id -u) -eq 0 ]] || fail "run as root (debootstrap, losetup and mount need it)"
mbr=/usr/lib/syslinux/mbr/mbr.bin
[[ -f $mbr ]] || fail "$mbr is missing (syslinux-common)"
for tool in debootstrap qemu-img sfdisk losetup mkfs.ext4 extlinux; do
    command -v "$tool" >/dev/null || fail "$tool is missing"
done
for binary in conpaassql-agent conpaassql-manager; do
    [[ -x $bin_dir/$binary ]] || fail "$bin_dir/$binary is missing (swift build -c release --static-swift-stdlib)"
done
[[ -f $repository/contextualization/boot-hook.sh ]] || fail "no contextualization/ in $repository"

work=$(mktemp -d)
root=$work/root
loop=
detach() {
    local mounted
    for mounted in "$root/dev/pts" "$root/dev" "$root/proc" "$root/sys" "$root"; do
        if mountpoint -q "$mounted"; then umount "$mounted"; fi
    done
    if [[ -n $loop ]]; then losetup -d "$loop"; fi
    loop=
}
trap 'detach; rm -rf "$work"' EXIT

echo "== disk: $size, one bootable ext4 partition labelled conpaassql"
truncate -s "$size" "$work/disk.raw"
echo 'start=2048, type=83, bootable' | sfdisk --quiet --label dos "$work/disk.raw"
dd if="$mbr" of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none
# The partition through a loop device at its offset: no partition scanning.
loop=$(losetup --find --show --offset $((2048 * 512)) "$work/disk.raw")
# EXTLINUX reads ext4 without the 64bit feature.
mkfs.ext4 -q -O ^64bit -L conpaassql "$loop"
mkdir "$root"
mount "$loop" "$root"

echo "== debootstrap bookworm from $mirror"
packages=(
    linux-image-amd64 systemd-sysv udev kmod iproute2 ca-certificates curl
    mariadb-server mariadb-client libmariadb3 libxmlrpc-core-c3 libcurl4 libsqlite3-0 libxml2 haproxy mariadb-backup zstd rclone
)
debootstrap --include="$(IFS=,; echo "${packages[*]}")" bookworm "$root" "$mirror"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"

echo "== system configuration"
echo conpaassql >"$root/etc/hostname"
echo 'LABEL=conpaassql / ext4 errors=remount-ro 0 1' >"$root/etc/fstab"
chroot "$root" passwd --lock root >/dev/null
chroot "$root" systemctl disable --quiet mariadb.service haproxy.service
kernel=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sort -V | tail -n 1)
install -d "$root/boot/extlinux"
cat >"$root/boot/extlinux/extlinux.conf" <<BOOT
DEFAULT conpaassql
TIMEOUT 10
LABEL conpaassql
  LINUX /boot/$kernel
  INITRD /boot/initrd.img-${kernel#vmlinuz-}
  APPEND root=LABEL=conpaassql ro console=tty0 console=ttyS0,115200 net.ifnames=0
BOOT
extlinux --install "$root/boot/extlinux" 2>/dev/null

echo "== ConPaaS SQL binaries and contextualization"
install -m 0755 "$bin_dir/conpaassql-agent" "$bin_dir/conpaassql-manager" "$root/usr/local/bin/"
install -d "$root/usr/local/share/conpaassql"
cp -r "$repository/contextualization" "$root/usr/local/share/conpaassql/"
install -m 0755 "$repository/images/context-network.sh" "$root/usr/local/sbin/conpaassql-context-network"

echo "== the agents' data directory template (each VM's first boot copies it instead of running mariadb-install-db)"
chroot "$root" /usr/local/bin/conpaassql-agent prepare-datadir-template /usr/local/share/conpaassql >/dev/null

cat >"$root/etc/systemd/system/conpaassql-network.service" <<'UNIT'
[Unit]
Description=ConPaaS SQL: network from the OpenNebula context CD
DefaultDependencies=no
After=local-fs.target systemd-udev-settle.service
Before=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/conpaassql-context-network

[Install]
WantedBy=multi-user.target
UNIT

cat >"$root/etc/systemd/system/conpaassql-boot.service" <<'UNIT'
[Unit]
Description=ConPaaS SQL: boot hook (context.sh, then the agent's or manager's init.sh)
After=conpaassql-network.service network-online.target
Requires=conpaassql-network.service

[Service]
Type=simple
ExecStart=/bin/bash /usr/local/share/conpaassql/contextualization/boot-hook.sh
Restart=on-failure
RestartSec=5
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable --quiet conpaassql-network.service conpaassql-boot.service
chroot "$root" apt-get clean

echo "== $output"
sync
detach
qemu-img convert -c -O qcow2 "$work/disk.raw" "$output"
echo "built $output"
