#!/usr/bin/env python3
"""Measures the endpoints against going straight to the nodes, in one run.

(1) connect + SELECT 1 + close, one after another: through the writer endpoint
    against straight to the master (goal: at most 1.3x the time).
(2) reads per second of 8 clients, each on its own connection running a small
    aggregate query for a few seconds: through the reader endpoint (two
    replicas) against straight to one replica (goal: at least 1.6x).

Usage: bench-endpoints.py BIN_DIR ROUNDS WORK_DIR (run through scripts/bench-endpoints).
"""
import os, statistics, subprocess, sys, threading, time
import pymysql
from benchlib import rpc, wait_for

BIN, ROUNDS, WORK = sys.argv[1], int(sys.argv[2]), sys.argv[3]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "127.0.90"
ADDRESS = f"{PREFIX}.250"






def connect_select_close(host, port, count):
    started = time.monotonic()
    for _ in range(count):
        connection = pymysql.connect(host=host, port=port, user="bench", password="bench-pw")
        connection.cursor().execute("SELECT 1")
        connection.close()
    return time.monotonic() - started


def reads_per_second(host, port, clients=8, seconds=4):
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def client(index):
        connection = pymysql.connect(host=host, port=port, user="bench", password="bench-pw")
        cursor = connection.cursor()
        while time.monotonic() < stop:
            cursor.execute("SELECT SUM(v), COUNT(*) FROM bench.t WHERE id % 7 = 3")
            cursor.fetchall()
            counts[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


state = f"{WORK}/manager"
log = open(f"{WORK}/manager.log", "w")
manager = subprocess.Popen([f"{BIN}/conpaassql-manager", "--address", ADDRESS, "--state-dir", state, "--local-address-prefix", PREFIX,
                            "--contextualization-dir", f"{REPO}/contextualization", "--agent-bin-dir", BIN, "--poll-interval-ms", "100"],
                           stdout=log, stderr=log)
try:
    wait_for(lambda: rpc(ADDRESS, "get_service_info") is not None)
    rpc(ADDRESS, "add_nodes", {"count": 3}, post=True)
    wait_for(lambda: rpc(ADDRESS, "get_service_info").get("nodes_by_state") == {"RUNNING": 3})
    rpc(ADDRESS, "configure_user", {"serviceNodeId": "all", "username": "bench", "password": "bench-pw"}, post=True)
    nodes = [rpc(ADDRESS, "get_node_info", {"serviceNodeId": n})["serviceNode"] for n in rpc(ADDRESS, "list_nodes")["conpaas-mysql"]]
    master = next(n["ip"] for n in nodes if n["role"] == "master")
    replica = next(n["ip"] for n in nodes if n["role"] == "slave")
    setup = pymysql.connect(host=master, user="bench", password="bench-pw", autocommit=True)
    setup.cursor().execute("CREATE DATABASE bench")
    setup.cursor().execute("CREATE TABLE bench.t (id INT PRIMARY KEY, v INT)")
    setup.cursor().executemany("INSERT INTO bench.t VALUES (%s, %s)", [(i, i * 3) for i in range(20000)])
    setup.close()
    wait_for(lambda: all(pymysql.connect(host=n["ip"], user="bench", password="bench-pw").cursor().execute(
        "SELECT 1 FROM bench.t WHERE id = 19999") == 1 for n in nodes if n["role"] == "slave"))
    wait_for(lambda: pymysql.connect(host=ADDRESS, port=3307, user="bench", password="bench-pw") is not None)
    direct, writer, one, reader = [], [], [], []
    for number in range(1, ROUNDS + 1):
        direct.append(connect_select_close(master, 3306, 300))
        writer.append(connect_select_close(ADDRESS, 3306, 300))
        one.append(reads_per_second(replica, 3306))
        reader.append(reads_per_second(ADDRESS, 3307))
        print(f"round {number}: 300 x connect+SELECT 1+close straight {direct[-1]:.2f} s, through the writer {writer[-1]:.2f} s; "
              f"reads/s one replica straight {one[-1]:.0f}, through the reader {reader[-1]:.0f}", flush=True)
    d, w, o, r = (statistics.median(x) for x in (direct, writer, one, reader))
    print(f"median of {ROUNDS} rounds:")
    print(f"connect + SELECT 1 + close: writer {w / 300 * 1000:.2f} ms, straight to the master {d / 300 * 1000:.2f} ms, ratio {w / d:.2f} (goal <= 1.3)")
    print(f"reads per second (8 clients): reader over 2 replicas {r:.0f}, one replica straight {o:.0f}, ratio {r / o:.2f} (goal >= 1.6)")
    print(f"cores on this machine: {os.cpu_count()} (every node and HAProxy share them)")
finally:
    rpc(ADDRESS, "shutdown", post=True) if manager.poll() is None else None
    time.sleep(3)
    manager.terminate()
    manager.wait()
