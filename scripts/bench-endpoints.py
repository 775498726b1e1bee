#!/usr/bin/env python3
"""Measures the endpoints against going straight to the nodes, in one run.

(1) connect + SELECT 1 + close: through the writer endpoint against straight to
    the master (goal: at most 1.3x the time). Each round makes 300 of each, in
    pairs whose order alternates, and keeps the median time of each kind, so that
    a burst of load on this shared machine weighs on both alike (the means, which
    count such bursts, are printed too). A third kind in the same rounds goes
    through rinetd, Debian's one-process TCP redirector, in front of the master:
    the least a user-space hop costs on this machine, the floor the writer's
    ratio is to be read against (a reference only; it never serves the product).
(2) reads per second of 8 clients, each on its own connection running the same
    server-bound aggregate (about 100,000 rows scanned per read, so the client
    and the proxy add little) for a few seconds: through the reader endpoint over
    two replicas against straight to one replica (goal: at least 1.6x).

Replicas on machines of their own: on the local cloud every "VM" shares this
machine's cores, so two replicas would have no more CPU than one. The benchmark
therefore pins each replica VM's mariadbd to a core of its own with `taskset`
(replica 1 on core 0, replica 2 on core 1), for both kinds of run: the replica
read straight gets one core, and the reader's two replicas one core each. The
same query, client and number of connections serve both kinds. While reads
run, the sessions they go through (the replicas' VMs, HAProxy and this client)
have nice -10, so that other work on this shared machine (its load average is
printed with each round; a fuzzer's session took 0.4 of a core from two busy
replicas) takes less of their CPU. The client and HAProxy are not
pinned: in the reader's run they find no core free of a busy replica (in the
straight run one core is), so this favours the straight run if anything. The
writer's figures are taken without any of this.

Usage: bench-endpoints.py BIN_DIR ROUNDS WORK_DIR (run through scripts/bench-endpoints).
"""
import os, statistics, subprocess, sys, threading, time
import pymysql
from benchlib import pids_of, rpc, wait_for

BIN, ROUNDS, WORK = sys.argv[1], int(sys.argv[2]), sys.argv[3]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "127.0.90"
ADDRESS = f"{PREFIX}.250"
FLOOR_ADDRESS = f"{PREFIX}.249"
ROWS = 100_000
READ = "SELECT SUM(v), COUNT(*) FROM bench.t WHERE id % 7 = 3"
PRIORITY = -10


def connect(host, port=3306):
    return pymysql.connect(host=host, port=port, user="bench", password="bench-pw")


def connect_select_close(host, port):
    """Seconds for one connect + SELECT 1 + close."""
    started = time.perf_counter()
    connection = connect(host, port)
    connection.cursor().execute("SELECT 1")
    connection.close()
    return time.perf_counter() - started


def interleaved_times(master, count=300):
    """Seconds of each connect + SELECT 1 + close straight to the master, through the writer and through
    rinetd, `count` of each, in triplets whose order rotates and alternates."""
    straight, writer, floor = [], [], []
    for number in range(count):
        kinds = [(straight, master, 3306), (writer, ADDRESS, 3306), (floor, FLOOR_ADDRESS, 3306)]
        kinds = kinds[number % 3:] + kinds[:number % 3]
        for times, host, port in kinds if number % 2 else reversed(kinds):
            times.append(connect_select_close(host, port))
    return straight, writer, floor


def start_rinetd(master):
    """Starts rinetd forwarding FLOOR_ADDRESS:3306 to the master's port 3306; answers its process."""
    with open(f"{WORK}/rinetd.conf", "w") as file:
        file.write(f"{FLOOR_ADDRESS} 3306 {master} 3306\n")
    process = subprocess.Popen(["rinetd", "--foreground", "--conf-file", f"{WORK}/rinetd.conf"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: server_id(FLOOR_ADDRESS, 3306) == server_id(master, 3306), limit=30)
    return process


def server_id(host, port):
    connection = connect(host, port)
    cursor = connection.cursor()
    cursor.execute("SELECT @@server_id")
    (value,) = cursor.fetchone()
    connection.close()
    return value


def reads_per_second(host, port, clients=8, seconds=5):
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def client(index):
        connection = connect(host, port)
        cursor = connection.cursor()
        while time.monotonic() < stop:
            cursor.execute(READ)
            cursor.fetchall()
            counts[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def pin_mariadbd(vm_id, core):
    """Pins every thread of the mariadbd of VM `vm_id` to `core` (threads it starts later inherit it); answers its pid."""
    pids = pids_of("mariadbd", f"{WORK}/manager/cloud/vms/{vm_id}/")
    if len(pids) != 1:
        raise RuntimeError(f"expected one mariadbd for VM {vm_id}, found {pids}")
    subprocess.run(["taskset", "-a", "-p", "-c", str(core), str(pids[0])], check=True, stdout=subprocess.DEVNULL)
    return pids[0]


def session_priority(pids, nice):
    """Sets the scheduling priority of the sessions of `pids` (Linux autogroups: the kernel shares
    the CPU between sessions first, so nice values inside a session do not count against others);
    `nice` is one value for all, or a dict pid → value. Answers the values they had."""
    before = {}
    for pid in pids:
        with open(f"/proc/{pid}/autogroup") as file:
            before[pid] = int(file.read().split()[-1])  # "/autogroup-N nice V"
        with open(f"/proc/{pid}/autogroup", "w") as file:
            file.write(str(nice[pid] if isinstance(nice, dict) else nice))
    return before


if (os.cpu_count() or 1) < 2:
    sys.exit("bench-endpoints needs two cores (one per replica)")
log = open(f"{WORK}/manager.log", "w")
manager = subprocess.Popen([f"{BIN}/conpaassql-manager", "--address", ADDRESS, "--state-dir", f"{WORK}/manager",
                            "--local-address-prefix", PREFIX, "--contextualization-dir", f"{REPO}/contextualization",
                            "--agent-bin-dir", BIN, "--poll-interval-ms", "100"], stdout=log, stderr=log, start_new_session=True)
try:
    wait_for(lambda: rpc(ADDRESS, "get_service_info") is not None)
    rpc(ADDRESS, "add_nodes", {"count": 3}, post=True)
    wait_for(lambda: rpc(ADDRESS, "get_service_info").get("nodes_by_state") == {"RUNNING": 3})
    rpc(ADDRESS, "configure_user", {"serviceNodeId": "all", "username": "bench", "password": "bench-pw"}, post=True)
    nodes = [rpc(ADDRESS, "get_node_info", {"serviceNodeId": n})["serviceNode"] for n in rpc(ADDRESS, "list_nodes")["conpaas-mysql"]]
    master = next(n["ip"] for n in nodes if n["role"] == "master")
    replicas = [n for n in nodes if n["role"] == "slave"]
    setup = pymysql.connect(host=master, user="bench", password="bench-pw", autocommit=True)
    setup.cursor().execute("CREATE DATABASE bench")
    setup.cursor().execute("CREATE TABLE bench.t (id INT PRIMARY KEY, v INT)")
    for start in range(0, ROWS, 10_000):
        setup.cursor().executemany("INSERT INTO bench.t VALUES (%s, %s)", [(i, i * 3) for i in range(start, start + 10_000)])
    setup.close()
    wait_for(lambda: all(connect(n["ip"]).cursor().execute(f"SELECT 1 FROM bench.t WHERE id = {ROWS - 1}") == 1 for n in replicas))
    # What reads go through: the replicas' VMs, HAProxy and this client (each a session of its own).
    read_path = [pin_mariadbd(replica["vm_id"], core) for core, replica in enumerate(replicas)]
    read_path += pids_of("haproxy", f"{WORK}/manager/haproxy/")[:1] + [os.getpid()]
    replica_ids = {server_id(n["ip"], 3306) for n in replicas}
    wait_for(lambda: {server_id(ADDRESS, 3307) for _ in range(12)} == replica_ids)
    one = replicas[0]["ip"]
    rinetd = start_rinetd(master)
    direct, writer, floor, direct_means, writer_means, straight, reader = [], [], [], [], [], [], []
    for number in range(1, ROUNDS + 1):
        straight_times, writer_times, floor_times = interleaved_times(master)
        d, w, f = (statistics.median(x) for x in (straight_times, writer_times, floor_times))
        direct.append(d)
        writer.append(w)
        floor.append(f)
        direct_means.append(statistics.mean(straight_times))
        writer_means.append(statistics.mean(writer_times))
        runs = [(straight, one, 3306), (reader, ADDRESS, 3307)]
        before = session_priority(read_path, PRIORITY)
        try:
            for figures, host, port in runs if number % 2 else reversed(runs):
                figures.append(reads_per_second(host, port))
        finally:
            session_priority(read_path, before)
        print(f"round {number}: connect+SELECT 1+close straight {d * 1000:.3f} ms, through the writer {w * 1000:.3f} ms, through rinetd {f * 1000:.3f} ms; "
              f"reads/s one replica straight {straight[-1]:.1f}, through the reader {reader[-1]:.1f}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    rinetd.terminate()
    d, w, f, o, r, dm, wm = (statistics.median(x) for x in (direct, writer, floor, straight, reader, direct_means, writer_means))
    print(f"median of {ROUNDS} rounds:")
    print(f"connect + SELECT 1 + close: writer {w * 1000:.3f} ms, straight to the master {d * 1000:.3f} ms, ratio {w / d:.2f} (goal <= 1.3); "
          f"means instead of medians: {wm * 1000:.3f} ms against {dm * 1000:.3f} ms, ratio {wm / dm:.2f}")
    print(f"the floor of a user-space hop: rinetd {f * 1000:.3f} ms, ratio {f / d:.2f} to straight; the writer against rinetd {w / f:.2f}")
    print(f"reads per second (8 clients, replicas pinned to a core each): reader over 2 replicas {r:.1f}, "
          f"one replica straight {o:.1f}, ratio {r / o:.2f} (goal >= 1.6)")
finally:
    try:
        if manager.poll() is None:
            rpc(ADDRESS, "shutdown", post=True)
            wait_for(lambda: rpc(ADDRESS, "get_service_info")["state"] == "STOPPED", limit=60)
    finally:
        manager.terminate()
        manager.wait()
