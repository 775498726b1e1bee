#!/bin/bash
# boot-hook.sh [CONTEXT_DIR]: what a ConPaaS SQL VM runs at boot.
#
# CONTEXT_DIR holds context.sh (and the context files) as OpenNebula writes them
# on the context CD. The local cloud passes the VM's directory. Without an
# argument it behaves like a ConPaaS-era image: it uses /mnt, mounting the
# context CD there read-only first (by its label CONTEXT, else /dev/sr0) when
# /mnt/context.sh is missing.
#
# Then it:
#   1. sources context.sh with every variable exported (set -a);
#   2. runs START_SCRIPT_BASE64 (decoded) or else START_SCRIPT, if set, and stops
#      if it fails;
#   3. execs CONTEXT_DIR/init.sh if present, else the init.sh of the VM's role
#      beside this script: $(dirname "$0")/$CONPAASSQL_ROLE/init.sh (role
#      "agent" by default, or "manager").
# exec keeps the process tree simple: the init script (and what it execs in
# turn, the agent) takes this process's place.
set -euo pipefail

fail() {
    echo "boot-hook.sh: $*" >&2
    exit 1
}

context_dir=${1:-}
if [[ -z $context_dir ]]; then
    context_dir=/mnt
    if [[ ! -f /mnt/context.sh ]]; then
        mount -o ro -L CONTEXT /mnt 2>/dev/null || mount -o ro /dev/sr0 /mnt ||
            fail "cannot mount the context CD on /mnt"
    fi
fi
[[ -f $context_dir/context.sh ]] || fail "no context.sh in $context_dir"

set -a
# shellcheck source=/dev/null
. "$context_dir/context.sh"
set +a

run_start_script() {
    local work status=0
    work=$(mktemp -d)
    if [[ -n ${START_SCRIPT_BASE64:-} ]]; then
        base64 -d <<<"$START_SCRIPT_BASE64" >"$work/start-script" || fail "START_SCRIPT_BASE64 is not base64"
    else
        printf '%s\n' "$START_SCRIPT" >"$work/start-script"
    fi
    chmod 700 "$work/start-script"
    # A script without #! is run by bash itself when exec fails with ENOEXEC.
    "$work/start-script" || status=$?
    rm -rf "$work"
    [[ $status -eq 0 ]] || fail "the start script failed with status $status"
}
if [[ -n ${START_SCRIPT_BASE64:-}${START_SCRIPT:-} ]]; then
    run_start_script
fi

if [[ -f $context_dir/init.sh ]]; then
    init=$context_dir/init.sh
else
    role=${CONPAASSQL_ROLE:-agent}
    [[ $role == agent || $role == manager ]] || fail "CONPAASSQL_ROLE must be agent or manager, not '$role'"
    init=$(dirname "$0")/$role/init.sh
    [[ -f $init ]] || fail "no init.sh in $context_dir and no $init"
fi
exec /bin/bash "$init"
