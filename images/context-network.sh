#!/bin/bash
# context-network.sh: configures a ConPaaS SQL VM's network from OpenNebula's
# context CD, before the boot hook starts the agent or the manager. Installed
# in the image as /usr/local/sbin/conpaassql-context-network (build-image.sh).
#
# It mounts the CD labelled CONTEXT (else /dev/sr0) read-only on /mnt, where
# boot-hook.sh finds it later, sources context.sh and configures the interface
# whose MAC is ETH0_MAC (else eth0) with ETH0_IP (else IP_PUBLIC) and
# ETH0_MASK (default 255.255.255.0), the default route via ETH0_GATEWAY and
# /etc/resolv.conf from ETH0_DNS. OpenNebula writes the ETH0_* variables when
# CONTEXT holds NETWORK = "YES", as both ConPaaS SQL templates do.
set -euo pipefail

fail() {
    echo "conpaassql-context-network: $*" >&2
    exit 1
}

# The prefix length of a dotted netmask.
prefix_length() {
    local octet bits=0
    local -a octets
    IFS=. read -r -a octets <<<"$1"
    for octet in "${octets[@]}"; do
        while ((octet & 128)); do
            bits=$((bits + 1))
            octet=$(((octet << 1) & 255))
        done
    done
    echo "$bits"
}

if [[ ! -f /mnt/context.sh ]]; then
    mount -o ro -L CONTEXT /mnt 2>/dev/null || mount -o ro /dev/sr0 /mnt || fail "cannot mount the context CD"
fi
set -a
# shellcheck source=/dev/null
. /mnt/context.sh
set +a

address=${ETH0_IP:-${IP_PUBLIC:-}}
[[ -n $address ]] || fail "context.sh has neither ETH0_IP nor IP_PUBLIC"
interface=eth0
if [[ -n ${ETH0_MAC:-} ]]; then
    for device in /sys/class/net/*; do
        if [[ $(<"$device/address") == "${ETH0_MAC,,}" ]]; then interface=${device##*/}; fi
    done
fi

ip link set dev "$interface" up
ip address replace "$address/$(prefix_length "${ETH0_MASK:-255.255.255.0}")" dev "$interface"
if [[ -n ${ETH0_GATEWAY:-} ]]; then
    ip route replace default via "$ETH0_GATEWAY" dev "$interface"
fi
if [[ -n ${ETH0_DNS:-} ]]; then
    for server in $ETH0_DNS; do echo "nameserver $server"; done >/etc/resolv.conf
fi
echo "conpaassql-context-network: $interface is $address"
