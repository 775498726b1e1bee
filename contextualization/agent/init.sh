#!/bin/bash
# agent/init.sh: starts the ConPaaS SQL agent of a VM from its context.
#
# boot-hook.sh runs it with the variables of context.sh exported (see
# Sources/ConPaaSCore/AgentContext.swift):
#   required  MANAGER_IP MANAGER_PORT SERVICE_SECRET NODE_ID IP_PUBLIC
#   optional  AGENT_PORT (60000)  MYSQL_PORT (3306)  SERVER_ID (derived from the
#             address by the agent)  AGENT_SMALL (yes/no, default no)
#             AGENT_DATADIR_TEMPLATE (a prepared data directory copied at first boot;
#             default: the image's /usr/local/share/conpaassql/datadir-template)
#             AGENT_RESTORE (yes/no, default no: yes for a restore's new master, whose
#             first data restore_backup installs)
#             AGENT_DATA_DIR (/var/lib/conpaassql)  CONPAASSQL_BIN (directory of
#             conpaassql-agent; default: found on PATH)
#
# It writes the secret to $AGENT_DATA_DIR/secret (0600) and runs (again, a second later, whenever it dies)
#   conpaassql-agent --address IP_PUBLIC --port AGENT_PORT --mysql-port MYSQL_PORT
#       --data-dir $AGENT_DATA_DIR/node --secret-file $AGENT_DATA_DIR/secret
#       --manager http://MANAGER_IP:MANAGER_PORT --node-id NODE_ID
#       [--server-id SERVER_ID] [--small] [--datadir-template D] [--await-restore]
#
# On a bad context it prints "init.sh: <problem>" on stderr, tells the manager
# (when it knows where the manager is, and the secret and node id) with a
# register_node call in state FAILED, and exits 1. The secret never goes on a
# command line: curl reads the Authorization header from a 0600 file.
set -euo pipefail

# Reports $1 to the manager as this node's failure; quiet on success.
report_failure() {
    local work body status=0
    work=$(mktemp -d)
    (umask 077 && printf 'Authorization: Bearer %s\n' "$SERVICE_SECRET" >"$work/auth-header")
    body=$(printf '{"method":"register_node","params":{"state":{"id":"%s","state":"FAILED","error":"%s"}},"id":1}' \
        "$(json_escape "$NODE_ID")" "$(json_escape "$1")")
    curl -s --noproxy '*' --max-time 10 -o /dev/null -H @"$work/auth-header" \
        -H 'Content-Type: application/json' --data-binary "$body" \
        "http://$MANAGER_IP:$MANAGER_PORT/" || status=$?
    rm -rf "$work"
    [[ $status -eq 0 ]] || echo "init.sh: could not report the failure to the manager (curl exit $status)" >&2
}

# $1 as the inside of a JSON string.
json_escape() {
    local text=$1
    text=${text//\\/\\\\}
    text=${text//\"/\\\"}
    text=${text//$'\n'/\\n}
    text=${text//$'\r'/\\r}
    text=${text//$'\t'/\\t}
    printf '%s' "$text"
}

fail() {
    echo "init.sh: $1" >&2
    # A secret of several lines would become several headers: not sent.
    if [[ -n ${MANAGER_IP:-} && ${MANAGER_PORT:-} =~ ^[0-9]{1,5}$ && -n ${NODE_ID:-} &&
        -n ${SERVICE_SECRET:-} && $SERVICE_SECRET != *[$'\r\n']* ]]; then
        report_failure "$1"
    fi
    exit 1
}

require_port() {  # NAME VALUE
    if ! [[ $2 =~ ^[0-9]{1,5}$ ]] || ((10#$2 < 1 || 10#$2 > 65535)); then
        fail "$1 must be a port number (1-65535), not '$2'"
    fi
}

for name in MANAGER_IP MANAGER_PORT SERVICE_SECRET NODE_ID IP_PUBLIC; do
    [[ -n ${!name:-} ]] || fail "context.sh lacks $name"
done
require_port MANAGER_PORT "$MANAGER_PORT"
agent_port=${AGENT_PORT:-60000}
mysql_port=${MYSQL_PORT:-3306}
require_port AGENT_PORT "$agent_port"
require_port MYSQL_PORT "$mysql_port"
if [[ -n ${SERVER_ID:-} ]]; then
    if ! [[ $SERVER_ID =~ ^[0-9]{1,10}$ ]] || ((10#$SERVER_ID < 1 || 10#$SERVER_ID > 4294967295)); then
        fail "SERVER_ID must be a number from 1 to 4294967295, not '$SERVER_ID'"
    fi
fi
for name in AGENT_SMALL AGENT_RESTORE; do
    case ${!name:-no} in
    yes | no) ;;
    *) fail "$name must be yes or no, not '${!name}'" ;;
    esac
done

if [[ -n ${CONPAASSQL_BIN:-} ]]; then
    agent=$CONPAASSQL_BIN/conpaassql-agent
    [[ -x $agent ]] || fail "no executable conpaassql-agent in CONPAASSQL_BIN ($CONPAASSQL_BIN)"
else
    agent=$(command -v conpaassql-agent) || fail "conpaassql-agent is not on PATH and CONPAASSQL_BIN is not set"
fi

data_dir=${AGENT_DATA_DIR:-/var/lib/conpaassql}
mkdir -p "$data_dir" || fail "cannot create AGENT_DATA_DIR ($data_dir)"
chmod 700 "$data_dir" || fail "cannot make AGENT_DATA_DIR ($data_dir) private"
secret_file=$data_dir/secret
new_secret=$(mktemp "$secret_file.XXXXXX") || fail "cannot write in $data_dir"
printf '%s\n' "$SERVICE_SECRET" >"$new_secret" || fail "cannot write $new_secret"
mv -f "$new_secret" "$secret_file" || fail "cannot write $secret_file"

arguments=(
    --address "$IP_PUBLIC" --port "$agent_port" --mysql-port "$mysql_port"
    --data-dir "$data_dir/node" --secret-file "$secret_file"
    --manager "http://$MANAGER_IP:$MANAGER_PORT" --node-id "$NODE_ID"
)
[[ -z ${SERVER_ID:-} ]] || arguments+=(--server-id "$SERVER_ID")
[[ ${AGENT_SMALL:-no} != yes ]] || arguments+=(--small)
[[ ${AGENT_RESTORE:-no} != yes ]] || arguments+=(--await-restore)
# A prepared data directory to copy at first boot: the context's, else the one
# images/build-image.sh puts in the VM image.
image_template=/usr/local/share/conpaassql/datadir-template
if [[ -n ${AGENT_DATADIR_TEMPLATE:-} ]]; then
    arguments+=(--datadir-template "$AGENT_DATADIR_TEMPLATE")
elif [[ -d $image_template ]]; then
    arguments+=(--datadir-template "$image_template")
fi
# The secret is in its 0600 file now: keep it out of the environment of the agent and its children.
unset SERVICE_SECRET
# Like a service manager's Restart=always: an agent that dies is started again a
# second later (it stops the mariadbd its earlier life left and starts its own);
# one that exits cleanly (stopped on purpose) is not. The loop is a process of its
# own whose command line holds the agent's, data directory included, so whatever
# ends this VM's processes by their command line ends the loop with the agent.
# shellcheck disable=SC2016  # the loop's script expands its own arguments
exec /bin/bash -c 'until "$@"; do echo "init.sh: the agent ended with status $?; starting it again in 1 s" >&2; sleep 1; done' \
    agent-respawn "$agent" "${arguments[@]}"
