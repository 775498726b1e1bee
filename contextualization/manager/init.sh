#!/bin/bash
# manager/init.sh: starts the ConPaaS SQL manager of a VM from its context.
#
# boot-hook.sh runs it with the variables of context.sh exported:
#   required  IP_PUBLIC  ONE_ENDPOINT (http://HOST:2633/RPC2)  ONE_USER
#             ONE_PASSWORD  ONE_IMAGE_ID  ONE_NETWORK_ID
#   optional  MANAGER_PORT (50000)  MANAGER_STATE_DIR (/var/lib/conpaassql-manager)
#             MANAGER_TOKEN (bearer token users must present; none by default)
#             CONPAASSQL_BIN (directory of conpaassql-manager; default: found on PATH)
#
# It writes ONE_PASSWORD (and MANAGER_TOKEN) to 0600 files in MANAGER_STATE_DIR,
# so that no secret goes on a command line, and execs
#   conpaassql-manager --address IP_PUBLIC --port MANAGER_PORT
#       --state-dir MANAGER_STATE_DIR --cloud opennebula
#       --one-endpoint ONE_ENDPOINT --one-user ONE_USER
#       --one-password-file MANAGER_STATE_DIR/one-password
#       --one-image-id ONE_IMAGE_ID --one-network-id ONE_NETWORK_ID
#       [--token-file MANAGER_STATE_DIR/token]
#
# On a bad context it prints "init.sh: <problem>" on stderr and exits 1.
set -euo pipefail

fail() {
    echo "init.sh: $1" >&2
    exit 1
}

# Writes $2 to the file $1, readable by its owner only.
write_private() {
    local new
    new=$(mktemp "$1.XXXXXX") || fail "cannot write in $(dirname "$1")"
    printf '%s\n' "$2" >"$new" || fail "cannot write $new"
    mv -f "$new" "$1" || fail "cannot write $1"
}

for name in IP_PUBLIC ONE_ENDPOINT ONE_USER ONE_PASSWORD ONE_IMAGE_ID ONE_NETWORK_ID; do
    [[ -n ${!name:-} ]] || fail "context.sh lacks $name"
done
port=${MANAGER_PORT:-50000}
if ! [[ $port =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
    fail "MANAGER_PORT must be a port number (1-65535), not '$port'"
fi
for name in ONE_IMAGE_ID ONE_NETWORK_ID; do
    [[ ${!name} =~ ^[0-9]{1,9}$ ]] || fail "$name must be a number, not '${!name}'"
done
[[ $ONE_ENDPOINT =~ ^https?:// ]] || fail "ONE_ENDPOINT must be an http:// or https:// URL, not '$ONE_ENDPOINT'"

if [[ -n ${CONPAASSQL_BIN:-} ]]; then
    manager=$CONPAASSQL_BIN/conpaassql-manager
    [[ -x $manager ]] || fail "no executable conpaassql-manager in CONPAASSQL_BIN ($CONPAASSQL_BIN)"
else
    manager=$(command -v conpaassql-manager) || fail "conpaassql-manager is not on PATH and CONPAASSQL_BIN is not set"
fi

state_dir=${MANAGER_STATE_DIR:-/var/lib/conpaassql-manager}
mkdir -p "$state_dir" || fail "cannot create MANAGER_STATE_DIR ($state_dir)"
chmod 700 "$state_dir" || fail "cannot make MANAGER_STATE_DIR ($state_dir) private"
write_private "$state_dir/one-password" "$ONE_PASSWORD"

arguments=(
    --address "$IP_PUBLIC" --port "$port" --state-dir "$state_dir" --cloud opennebula
    --one-endpoint "$ONE_ENDPOINT" --one-user "$ONE_USER" --one-password-file "$state_dir/one-password"
    --one-image-id "$ONE_IMAGE_ID" --one-network-id "$ONE_NETWORK_ID"
)
if [[ -n ${MANAGER_TOKEN:-} ]]; then
    write_private "$state_dir/token" "$MANAGER_TOKEN"
    arguments+=(--token-file "$state_dir/token")
else
    rm -f "$state_dir/token"  # a token from an earlier boot
fi
# The secrets are in 0600 files now: keep them out of the manager's environment.
unset ONE_PASSWORD MANAGER_TOKEN
exec "$manager" "${arguments[@]}"
