#!/usr/bin/env python3
"""Measures the manager's JSON-RPC against a bare Hummingbird handler, in one run.

wrk (2 threads, 32 keep-alive connections, DURATION seconds) asks, each round, for
every figure of a manager first the bare handler then the manager (ratios are taken
pair by pair, then the median of the rounds):
  - bench-bare-hummingbird: GET / answering a fixed body (the manager's own
    get_service_info answer, so both send the same bytes);
  - two managers (local cloud, no nodes, no endpoints): one with an empty store,
    one with 5,000 finished jobs and 2,000 terminated nodes (with their tasks)
    written into its SQLite store while it was stopped: get_service_info, then
    list_nodes and an unknown method (the JSON-RPC layer alone) for reference.
Goals: get_service_info at >= 0.8x the bare handler, history costing < 20%.

Usage: bench-rpc.py BIN_DIR ROUNDS DURATION WORK_DIR (run through scripts/bench-rpc).
"""
import os, re, sqlite3, statistics, subprocess, sys
from benchlib import rpc, wait_for

BIN, ROUNDS, DURATION, WORK = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "127.0.92"
BARE = f"{PREFIX}.251"
MANAGERS = {"empty store": f"{PREFIX}.250", "with history": f"{PREFIX}.249"}
CALLS = {"get_service_info": "get_service_info", "list_nodes": "list_nodes", "unknown method": "no_such_method"}


def requests_per_second(url):
    """wrk's Requests/sec against `url` (any status counts: the unknown method answers 404)."""
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{DURATION}s", "-H", "Content-Type: application/json", url],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def start_manager(address):
    state = f"{WORK}/{address}"
    log = open(f"{state}.log", "a")
    manager = subprocess.Popen([f"{BIN}/conpaassql-manager", "--address", address, "--state-dir", state, "--local-address-prefix", PREFIX,
                                "--contextualization-dir", f"{REPO}/contextualization", "--agent-bin-dir", BIN, "--no-endpoints"],
                               stdout=log, stderr=log)
    wait_for(lambda: rpc(address, "get_service_info") is not None, limit=60)
    return manager


def stop(process):
    process.terminate()
    process.wait()


def write_history(path, jobs=5_000, nodes=2_000):
    """Finished jobs and terminated nodes as the manager writes them: node n added by job 2n-1, removed by job 2n."""
    at = "2026-01-01 00:00:00.000"
    db = sqlite3.connect(path)
    first_job = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM job").fetchone()[0]
    number, server = db.execute("SELECT nextNodeNumber, nextServerID FROM service").fetchone()
    db.executemany("INSERT INTO job (id, kind, state, createdAt, finishedAt) VALUES (?, ?, 'DONE', ?, ?)",
                   [(first_job + i, "add_nodes" if i % 2 == 0 else "remove_nodes", at, at) for i in range(jobs)])
    db.executemany("INSERT INTO node (id, number, vmID, address, role, state, serverID, jobID, attempts, createRequested, createdAt) "
                   "VALUES (?, ?, ?, ?, 'slave', 'TERMINATED', ?, ?, 0, 1, ?)",
                   [(f"node-{number + i}", number + i, str(10_000 + i), f"{PREFIX}.{1 + i % 200}", server + i, first_job + 2 * i + 1, at)
                    for i in range(nodes)])
    stages = [(0, s) for s in ("CREATE", "CONFIRM", "BOOTSTRAP", "CONFIGURE", "VALIDATE")] + [(1, s) for s in ("DRAIN", "DESTROY")]
    db.executemany("INSERT INTO task (jobID, nodeID, stage, state, attempts, startedAt, finishedAt) VALUES (?, ?, ?, 'DONE', 1, ?, ?)",
                   [(first_job + 2 * i + offset, f"node-{number + i}", stage, at, at) for i in range(nodes) for offset, stage in stages])
    db.execute("UPDATE service SET nextNodeNumber = ?, nextServerID = ?", (number + nodes, server + nodes))
    db.commit()
    db.close()


managers = {name: start_manager(address) for name, address in MANAGERS.items()}
bare = None
try:
    stop(managers["with history"])
    write_history(f"{WORK}/{MANAGERS['with history']}/manager.sqlite")
    managers["with history"] = start_manager(MANAGERS["with history"])
    assert rpc(MANAGERS["with history"], "list_jobs", {"limit": 1})["jobs"][0]["id"] == 5_000
    with open(f"{WORK}/body.json", "w") as body:
        body.write(subprocess.run(["curl", "-sS", "-H", "Content-Type: application/json", f"http://{MANAGERS['empty store']}:50000/?method=get_service_info"],
                                  check=True, capture_output=True, text=True).stdout)
    bare = subprocess.Popen([f"{BIN}/bench-bare-hummingbird", "--address", BARE, "--body-file", f"{WORK}/body.json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: subprocess.run(["curl", "-sf", f"http://{BARE}:50000/"], capture_output=True).returncode == 0, limit=60)
    rates, ratios = {}, {}
    for number in range(1, ROUNDS + 1):
        line = []
        for call, method in CALLS.items():
            for store, address in MANAGERS.items():
                # Each figure is paired with a bare one taken just before it: the machine's load drifts.
                bare_rate = requests_per_second(f"http://{BARE}:50000/")
                rate = requests_per_second(f"http://{address}:50000/?method={method}")
                rates.setdefault("bare", []).append(bare_rate)
                rates.setdefault((store, call), []).append(rate)
                ratios.setdefault((store, call), []).append(rate / bare_rate)
                line.append(f"{call} ({store}) {rate:.0f}/s against bare {bare_rate:.0f}/s")
        print(f"round {number}: " + "; ".join(line), flush=True)
    rate = {key: statistics.median(values) for key, values in rates.items()}
    ratio = {key: statistics.median(values) for key, values in ratios.items()}
    print(f"medians of {ROUNDS} rounds of {DURATION} s (wrk -t2 -c32, on {os.cpu_count()} cores shared with wrk), requests/s:")
    print(f"bare Hummingbird answering the same body: {rate['bare']:.0f}")
    for store in MANAGERS:
        print(f"{store}: " + ", ".join(f"{call} {rate[(store, call)]:.0f} ({ratio[(store, call)]:.2f}x bare)" for call in CALLS))
    empty, history = (ratio[(store, "get_service_info")] for store in MANAGERS)
    print(f"get_service_info against bare: {empty:.2f}x with an empty store, {history:.2f}x with "
          f"5,000 finished jobs and 2,000 terminated nodes (goal >= 0.8); the history costs {1 - history / empty:.0%} (goal < 20%)")
finally:
    if bare:
        stop(bare)
    for manager in managers.values():
        stop(manager)
