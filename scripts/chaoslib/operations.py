"""The operations a round may apply through the manager's public methods; each answers a line."""
import os
import subprocess
import tempfile

from chaoslib.cluster import REPO, node_number

LOW, HIGH = 2, 4  # the node counts the run keeps the service between


def add(service, random, nodes, round_number):
    if len(nodes) >= HIGH:
        return None
    job = service.call("add_nodes", {"count": 1}, post=True).get("job")
    return f"add_nodes 1 (job {job})"


def remove(service, random, nodes, round_number):
    master = service.master()
    replicas = sorted((id for id in nodes if id != master), key=node_number)
    if len(nodes) <= LOW or not replicas:
        return None
    node = random.choice(replicas)
    job = service.call("remove_nodes", {"serviceNodeId": node}, post=True).get("job")
    return f"remove_nodes {node} (job {job})"


def switchover(service, random, nodes, round_number):
    if sum(node["state"] == "RUNNING" for node in nodes.values()) < 2:
        return None
    job = service.call("switchover", {}, post=True).get("job")
    return f"switchover (job {job})"


def users(service, random, nodes, round_number):
    """Creates (or changes the password of) an application account, or deletes one that exists."""
    existing = sorted({user["username"] for listing in service.call("get_users")["users"].values()
                       for user in listing if user["username"].startswith("app")})
    if existing and random.random() < 0.3:
        name = random.choice(existing)
        service.call("delete_user", {"serviceNodeId": "all", "username": name}, post=True)
        return f"delete_user {name}"
    name = f"app{random.randrange(3)}"
    service.call("configure_user", {"serviceNodeId": "all", "username": name, "password": f"pw-{round_number}"}, post=True)
    return f"configure_user {name}"


def dump(service, random, nodes, round_number):
    """A small dump (one new table) sent with the classic client."""
    rows = random.randrange(1, 200)
    values = ",".join(f"({i},'row {i} of round {round_number}')" for i in range(rows))
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as file:
        file.write(f"CREATE TABLE chaos.dumped{round_number} (id INT PRIMARY KEY, note VARCHAR(40));\n"
                   f"INSERT INTO chaos.dumped{round_number} VALUES {values};\n")
    try:
        result = subprocess.run([f"{REPO}/scripts/run-manager-client", service.address, "50000", "send_mysqldump", "all", file.name],
                                capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(file.name)
    if result.returncode != 0:
        raise RuntimeError(f"send_mysqldump: {(result.stdout + result.stderr).strip()[-200:]}")
    return f"send_mysqldump ({rows} rows into chaos.dumped{round_number})"


ALL = {"add": add, "remove": remove, "switchover": switchover, "users": users, "dump": dump}


def applicable(node_count):
    """The names of the operations that do something with `node_count` nodes, sorted."""
    skip = {"add"} if node_count >= HIGH else {"remove"} if node_count <= LOW else set()
    return sorted(set(ALL) - skip)
