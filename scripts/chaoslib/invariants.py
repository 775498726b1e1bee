"""What must hold once the service has settled; each check answers a list of violations."""
import json
import os
import time

from benchlib import processes
from chaoslib.workload import query


def settle(service, limit, steady=3):
    """Waits until no job runs, every node is RUNNING and a writable master serves, for `steady` seconds on end;
    answers a violation or None."""
    deadline, last, since = time.monotonic() + limit, "no answer", None
    while time.monotonic() < deadline:
        try:
            info = service.call("get_service_info")
            last = (f"state {info['state']}, nodes {info['nodes_by_state']}, master {info['master']}, writable {info['writable']}, "
                    f"jobs {[(job['kind'], job['state']) for job in info['jobs']]}")
            if not info["jobs"] and info["nodes_by_state"].get("FAILED"):
                remove_failed_additions(service)
            if (info["state"] == "RUNNING" and not info["jobs"] and info["writable"] and info["nodes"] > 0
                    and info["nodes_by_state"] == {"RUNNING": info["nodes"]}):
                since = since or time.monotonic()
                if time.monotonic() - since >= steady:
                    return None
            else:
                since = None
        except Exception as error:
            last, since = f"manager: {error}", None
        time.sleep(0.5)
    return f"did not settle in {limit}s: {last}"


def remove_failed_additions(service):
    """Removes, as an operator would, the nodes an add_nodes job gave up on before they had a VM."""
    for id, node in service.nodes().items():
        if node["state"] == "FAILED" and not node.get("vm_id"):
            print(f"           removing {id}, which never got a VM: {node.get('reason')}", flush=True)
            service.call("remove_nodes", {"serviceNodeId": id}, post=True)


def cloud_matches_nodes(service, nodes):
    """Every live VM owned by a live node and every live node by a VM; no process outside a live VM."""
    violations = []
    vms, owned = service.live_vm_ids(), {node["vm_id"] for node in nodes.values() if node.get("vm_id")}
    if vms - owned:
        violations.append(f"VMs no node owns: {sorted(vms - owned)}")
    if owned - vms:
        violations.append(f"nodes whose VM is gone: {sorted(owned - vms)}")
    sessions = set()
    for directory, _, files in os.walk(service.vm_directories()):
        if "vm.json" in files and os.path.basename(os.path.dirname(directory)) == "vms":
            sessions.add(json.load(open(f"{directory}/vm.json"))["processGroup"])
    strays = [f"{pid} ({command[:80]})" for pid, session, command in processes()
              if service.vm_directories() in command and session not in sessions]
    if strays:
        violations.append(f"processes outside every live VM: {strays[:3]}")
    return violations


def one_writer_unique_ids(service, nodes):
    """Unique server ids, and exactly one writable mariadbd: the manager's master."""
    violations, writable, ids = [], [], {}
    for id, node in nodes.items():
        server_id, read_only = query(node["ip"], "SELECT @@server_id, @@read_only")[0]
        ids.setdefault(server_id, []).append(id)
        if not read_only:
            writable.append(id)
    violations += [f"server id {server_id} on nodes {owners}" for server_id, owners in ids.items() if len(owners) > 1]
    if writable != [service.master()]:
        violations.append(f"writable nodes {writable}, the manager's master {service.master()}")
    return violations


def replicas_equal_master(service, nodes):
    """Every replica, caught up to the master's GTID position, has the master's CHECKSUM TABLE of every chaos table."""
    master = nodes[service.master()]
    position = query(master["ip"], "SELECT @@gtid_binlog_pos")[0][0]
    tables = sorted(row[0] for row in query(master["ip"], "SELECT table_name FROM information_schema.tables WHERE table_schema = 'chaos'"))
    listing = ", ".join(f"chaos.{table}" for table in tables)
    expected = query(master["ip"], f"CHECKSUM TABLE {listing}")
    violations = []
    for id, node in nodes.items():
        if id == master["id"]:
            continue
        if query(node["ip"], "SELECT MASTER_GTID_WAIT(%s, 60)", (position,), timeout=70)[0][0] != 0:
            violations.append(f"node {id} did not reach the master's {position} in 60s")
        elif query(node["ip"], f"CHECKSUM TABLE {listing}") != expected:
            violations.append(f"node {id}: CHECKSUM TABLE differs from the master's")
    return violations


def acknowledged_writes_kept(service, nodes, acknowledged):
    """Every insert the client saw acknowledged is on the master."""
    present = {row[0] for row in query(nodes[service.master()]["ip"], "SELECT id FROM chaos.acked", timeout=30)}
    lost = sorted(acknowledged - present)
    return [f"{len(lost)} acknowledged writes lost, e.g. {lost[:5]}"] if lost else []


def check(service, acknowledged):
    """Every invariant of a settled service: the violations found."""
    nodes = service.nodes()
    violations = cloud_matches_nodes(service, nodes)
    for invariant in (one_writer_unique_ids, replicas_equal_master):
        violations += invariant(service, nodes)
    return violations + acknowledged_writes_kept(service, nodes, acknowledged)
