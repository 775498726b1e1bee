#!/usr/bin/env python3
"""Seeding, backup and restore through the manager against doing the same by hand, in one run.

A release manager on the local cloud gets a master; ROWS rows of about 250 bytes
are written into it. Then, each timed:
(a) seed: `add_nodes 1` until the replica RUNNING holds every row; by hand: a
    fresh mariadbd (mariadb-install-db, start), `mariadb-dump --single-transaction
    --gtid | mariadb` from the same master, CHANGE MASTER by GTID, every row there.
(b) backup: `create_backup` until its job is DONE; by hand: `mariadb-backup
    --backup --stream=xbstream | zstd -1 > file` on the same master.
(c) restore: `restore_backup` of that backup (after `shutdown`) until the
    service is RUNNING with every row; by hand: `zstd -d | mbstream -x`,
    `mariadb-backup --prepare`, start mariadbd, every row there.
Usage: bench-seed.py BIN_DIR ROWS WORK_DIR (run through scripts/bench-seed).
"""
import os, subprocess, sys, time
import pymysql
import pymysql.cursors
from benchlib import rpc, wait_for

BIN, ROWS, WORK = sys.argv[1], int(sys.argv[2]), sys.argv[3]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = ["--user=root"] if os.getuid() == 0 else []
PREFIX = "127.0.70"
ADDRESS = f"{PREFIX}.250"
STATE = f"{WORK}/manager"


def count(host, **login):
    with pymysql.connect(host=host, **login) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM bench.big")
        return cursor.fetchone()[0]


def node_ip(node_id):
    return rpc(ADDRESS, "get_node_info", {"serviceNodeId": node_id})["serviceNode"]["ip"]


def master_ip():
    return node_ip(rpc(ADDRESS, "get_service_info")["master"])


def job_done(job):
    state = rpc(ADDRESS, "get_job", {"id": job})["state"]
    if state == "FAILED":
        raise SystemExit(f"job {job} failed: {rpc(ADDRESS, 'get_job', {'id': job})}")
    return state == "DONE"


def fresh_server(name, address):
    """mariadb-install-db and mariadbd with the agents' small settings; answers (process, directory)."""
    directory = f"{WORK}/{name}"
    os.makedirs(f"{directory}/tmp")
    subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={directory}/data", "--auth-root-authentication-method=normal",
                    "--skip-test-db", f"--tmpdir={directory}/tmp", *ROOT], check=True, capture_output=True)
    return start_server(directory, address), directory


def start_server(directory, address, ready=None):
    """mariadbd on `directory`; waits until `ready()` (default: root logs in over the socket) holds."""
    server = subprocess.Popen(["mariadbd", "--no-defaults", *ROOT, f"--datadir={directory}/data", f"--socket={directory}/s.sock",
                               f"--bind-address={address}", "--port=3306", f"--tmpdir={directory}/tmp", f"--log-error={directory}/error.log",
                               "--server-id=77", "--log-bin=mysql-bin", "--binlog-format=ROW", "--log-slave-updates", "--gtid-strict-mode=1",
                               "--skip-name-resolve", "--innodb-buffer-pool-size=8M", "--innodb-log-file-size=8M", "--performance-schema=OFF"])
    wait_for(ready or (lambda: pymysql.connect(unix_socket=f"{directory}/s.sock", user="root").close() is None), limit=120)
    return server


def master_options():
    """The master agent's own root option file (in its local VM's directory)."""
    ip = master_ip()
    for vm in os.listdir(f"{STATE}/cloud/vms"):
        if open(f"{STATE}/cloud/vms/{vm}/context.sh").read().find(f"'{ip}'") >= 0 or ip.endswith(f".{vm}"):
            return f"{STATE}/cloud/vms/{vm}/agent/node/client.cnf"
    raise SystemExit("no VM directory for the master")


def _replicating(directory):
    with pymysql.connect(unix_socket=f"{directory}/s.sock", user="root", cursorclass=pymysql.cursors.DictCursor) as connection:
        cursor = connection.cursor()
        cursor.execute("SHOW SLAVE STATUS")
        status = cursor.fetchone()
        return status["Slave_IO_Running"] == "Yes" and status["Slave_SQL_Running"] == "Yes"


log = open(f"{WORK}/manager.log", "w")
manager = subprocess.Popen([f"{BIN}/conpaassql-manager", "--address", ADDRESS, "--state-dir", STATE, "--local-address-prefix", PREFIX,
                            "--contextualization-dir", f"{REPO}/contextualization", "--agent-bin-dir", BIN, "--poll-interval-ms", "100",
                            "--no-endpoints"], stdout=log, stderr=log)
servers = []
try:
    wait_for(lambda: rpc(ADDRESS, "get_service_info") is not None)
    rpc(ADDRESS, "add_nodes", {"count": 1}, post=True)
    wait_for(lambda: rpc(ADDRESS, "get_service_info").get("nodes_by_state") == {"RUNNING": 1})
    rpc(ADDRESS, "configure_user", {"serviceNodeId": "all", "username": "bench", "password": "bench-pw"}, post=True)
    login = {"user": "bench", "password": "bench-pw"}
    with pymysql.connect(host=master_ip(), autocommit=True, **login) as connection:
        cursor = connection.cursor()
        cursor.execute("CREATE DATABASE bench")
        cursor.execute("CREATE TABLE bench.big (id INT PRIMARY KEY, pad VARCHAR(255) NOT NULL)")
        for first in range(1, ROWS + 1, 100_000):
            cursor.execute(f"INSERT INTO bench.big SELECT seq, RPAD(seq, 240, 'x') FROM bench.seq_{first}_to_{min(first + 99_999, ROWS)}")
    master = master_ip()
    print(f"master {master} holds {count(master, **login)} rows", flush=True)

    options = master_options()
    with pymysql.connect(read_default_file=options, read_default_group="client", autocommit=True) as connection:
        connection.cursor().execute("SET SESSION sql_log_bin = 0")
        connection.cursor().execute("CREATE USER 'hand'@'127.0.0.1' IDENTIFIED BY 'hand-pw'")
        connection.cursor().execute("GRANT REPLICATION SLAVE ON *.* TO 'hand'@'127.0.0.1'")

    # (a) seeding.
    started = time.monotonic()
    rpc(ADDRESS, "add_nodes", {"count": 1}, post=True)
    wait_for(lambda: rpc(ADDRESS, "get_service_info").get("nodes_by_state") == {"RUNNING": 2}, limit=1800)
    replica = next(node_ip(n) for n in rpc(ADDRESS, "list_nodes")["conpaas-mysql"] if node_ip(n) != master)
    wait_for(lambda: count(replica, **login) == ROWS, limit=600)
    managed_seed = time.monotonic() - started
    print(f"seed through the manager: {managed_seed:.1f} s", flush=True)

    started = time.monotonic()
    server, directory = fresh_server("hand-replica", f"{PREFIX}.200")
    servers.append(server)
    dump = subprocess.Popen(["mariadb-dump", f"--defaults-extra-file={options}", "--single-transaction", "--master-data=1", "--gtid",
                             "--databases", "bench", "conpaas_heartbeat"], stdout=subprocess.PIPE)
    subprocess.run(["mariadb", f"--socket={directory}/s.sock", "-uroot", "--init-command=SET SESSION sql_log_bin = 0"], stdin=dump.stdout, check=True)
    dump.wait()
    with pymysql.connect(unix_socket=f"{directory}/s.sock", user="root", autocommit=True) as connection:
        cursor = connection.cursor()
        cursor.execute(f"CHANGE MASTER TO MASTER_HOST='{master}', MASTER_USER='hand', MASTER_PASSWORD='hand-pw', MASTER_USE_GTID=slave_pos")
        cursor.execute("START SLAVE")
        cursor.execute("SELECT COUNT(*) FROM bench.big")
        assert cursor.fetchone()[0] == ROWS
    wait_for(lambda: _replicating(directory))
    by_hand_seed = time.monotonic() - started
    print(f"seed by hand: {by_hand_seed:.1f} s", flush=True)

    # (b) backup.
    started = time.monotonic()
    job = rpc(ADDRESS, "create_backup", {}, post=True)["job"]
    wait_for(lambda: job_done(job), limit=1800)
    managed_backup = time.monotonic() - started
    backup = rpc(ADDRESS, "list_backups")["backups"][-1]
    started = time.monotonic()
    with open(f"{WORK}/hand.xb.zst", "wb") as output:
        source = subprocess.Popen(["mariadb-backup", f"--defaults-extra-file={options}", "--backup", "--stream=xbstream",
                                   f"--target-dir={WORK}/hand-bk", f"--datadir={os.path.dirname(options)}/data"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        subprocess.run(["zstd", "-1", "-q", "-c"], stdin=source.stdout, stdout=output, check=True)
        assert source.wait() == 0
    by_hand_backup = time.monotonic() - started

    # (c) restore.
    job = rpc(ADDRESS, "shutdown", {}, post=True)["job"]
    wait_for(lambda: job_done(job), limit=300)
    started = time.monotonic()
    job = rpc(ADDRESS, "restore_backup", {"id": backup["id"]}, post=True)["job"]
    wait_for(lambda: job_done(job), limit=1800)
    wait_for(lambda: count(master_ip(), **login) == ROWS, limit=600)
    managed_restore = time.monotonic() - started
    started = time.monotonic()
    directory = f"{WORK}/hand-restore"
    os.makedirs(f"{directory}/data")
    os.makedirs(f"{directory}/tmp")
    unpack = subprocess.Popen(["zstd", "-d", "-q", "-c", f"{WORK}/hand.xb.zst"], stdout=subprocess.PIPE)
    subprocess.run(["mbstream", "-x", "-C", f"{directory}/data"], stdin=unpack.stdout, check=True)
    subprocess.run(["mariadb-backup", "--prepare", f"--target-dir={directory}/data"], check=True, capture_output=True)
    # The copy holds the master's accounts: the service user logs in, root has the master's password.
    servers.append(start_server(directory, f"{PREFIX}.201", ready=lambda: count(f"{PREFIX}.201", **login) == ROWS))
    with pymysql.connect(host=f"{PREFIX}.201", autocommit=True, **login) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM bench.big")
        assert cursor.fetchone()[0] == ROWS
    by_hand_restore = time.monotonic() - started

    for name, managed, by_hand, goal in (("seed a replica", managed_seed, by_hand_seed, 0.5), ("backup", managed_backup, by_hand_backup, 1.2),
                                         ("restore", managed_restore, by_hand_restore, 1.2)):
        print(f"{name}: manager {managed:.1f} s, by hand {by_hand:.1f} s, ratio {managed / by_hand:.2f} (goal <= {goal})")
finally:
    for server in servers:
        server.kill()
        server.wait()
    manager.terminate()
    manager.wait()
