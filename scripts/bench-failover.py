#!/usr/bin/env python3
"""Measures failover and switchover against doing the same by hand, in one run.

(a) failover: a client inserts a row every 5 ms through the master; the master
    VM's whole process session is SIGKILLed; the figure is the time from the
    kill to the first acknowledged insert on the new master. By hand: three
    mariadbd replicating by GTID, the master mariadbd SIGKILLed, then at once
    (a person who already knows it died) STOP SLAVE; RESET SLAVE ALL;
    read_only=OFF on one replica, the other repointed, the client reconnects.
(b) switchover: the longest gap between two acknowledged inserts of the same
    client across a `switchover` call. By hand: read_only=ON on the master,
    MASTER_GTID_WAIT on the replica, promote it, repoint the others.

Every acknowledged row is checked on the new master afterwards.
Usage: bench-failover.py BIN_DIR ROUNDS WORK_DIR (run through scripts/bench-failover).
"""
import os, signal, statistics, subprocess, sys, threading, time
import pymysql
from benchlib import agent_session, rpc, signal_session, wait_for

BIN, ROUNDS, WORK = sys.argv[1], int(sys.argv[2]), sys.argv[3]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = ["--user=root"] if os.getuid() == 0 else []
FAILOVER_AFTER = 3  # the manager's default: silent this long, and confirmed, before a failover


class Writer(threading.Thread):
    """Inserts ids 1, 2, ... every 5 ms into whatever `locate()` answers; records acknowledgements."""

    def __init__(self, locate, user, password):
        super().__init__(daemon=True)
        self.locate, self.user, self.password = locate, user, password
        self.acked, self.stop, self.lock = [], False, threading.Lock()

    def run(self):
        next_id, conn, host = 1, None, None
        while not self.stop:
            try:
                if conn is None:
                    host = self.locate()
                    conn = pymysql.connect(host=host, user=self.user, password=self.password, connect_timeout=1,
                                           read_timeout=2, write_timeout=2, autocommit=True)
                conn.cursor().execute("INSERT INTO bench.acked VALUES (%s)", (next_id,))
                with self.lock:
                    self.acked.append((next_id, time.monotonic(), host))
            except Exception:
                conn = None
                time.sleep(0.005)
            next_id += 1
            time.sleep(0.005)

    def first_after(self, instant, elsewhere_than):
        """When the first insert after `instant` was acknowledged by another server than `elsewhere_than`."""
        with self.lock:
            return next((at for _, at, host in self.acked if at > instant and host != elsewhere_than), None)

    def longest_gap(self, since):
        """The longest time between two acknowledged inserts, the first of them after `since`."""
        with self.lock:
            times = [at for _, at, _ in self.acked]
        return max((b - a for a, b in zip(times, times[1:]) if a >= since), default=0)

    def ids(self):
        with self.lock:
            return {i for i, _, _ in self.acked}






def kill_session_of(address):
    """SIGKILL every process in the session of the agent at `address` (its whole local VM)."""
    session = agent_session(address)
    if session is None:
        raise RuntimeError(f"no agent at {address}")
    signal_session(session, signal.SIGKILL)


def managed_round(round_number):
    """(a) and (b) through a release manager on the local cloud."""
    prefix = f"127.0.{60 + round_number}"
    address = f"{prefix}.250"
    state = f"{WORK}/m{round_number}"
    log = open(f"{state}.log", "w")
    manager = subprocess.Popen([f"{BIN}/conpaassql-manager", "--address", address, "--state-dir", state, "--local-address-prefix", prefix,
                                "--contextualization-dir", f"{REPO}/contextualization", "--agent-bin-dir", BIN,
                                "--poll-interval-ms", "100"], stdout=log, stderr=log)
    try:
        wait_for(lambda: _answers(address))
        rpc(address, "add_nodes", {"count": 3}, post=True)
        wait_for(lambda: rpc(address, "get_service_info").get("nodes_by_state") == {"RUNNING": 3}
                 and rpc(address, "get_service_info").get("semi_sync") == "on")
        rpc(address, "configure_user", {"serviceNodeId": "all", "username": "bench", "password": "bench-pw"}, post=True)

        def master_ip():
            master = rpc(address, "get_service_info")["master"]
            return rpc(address, "get_node_info", {"serviceNodeId": master})["serviceNode"]["ip"]

        setup = pymysql.connect(host=master_ip(), user="bench", password="bench-pw", autocommit=True)
        setup.cursor().execute("CREATE DATABASE bench")
        setup.cursor().execute("CREATE TABLE bench.acked (id INT PRIMARY KEY)")
        setup.close()
        writer = Writer(master_ip, "bench", "bench-pw")
        writer.start()
        time.sleep(1)
        started = time.monotonic()
        job = rpc(address, "switchover", {}, post=True)["job"]
        wait_for(lambda: rpc(address, "get_job", {"id": job})["state"] != "RUNNING")
        time.sleep(1)
        switchover_gap = writer.longest_gap(since=started - 0.05)
        old = master_ip()
        killed = time.monotonic()
        kill_session_of(old)
        wait_for(lambda: writer.first_after(killed, old) is not None, limit=120)
        failover = writer.first_after(killed, old) - killed
        time.sleep(0.5)
        writer.stop = True
        writer.join()
        check = pymysql.connect(host=master_ip(), user="bench", password="bench-pw")
        cursor = check.cursor()
        cursor.execute("SELECT id FROM bench.acked")
        lost = writer.ids() - {row[0] for row in cursor.fetchall()}
        check.close()
        return failover, switchover_gap, len(lost)
    finally:
        manager.terminate()
        manager.wait()
        subprocess.run(["pkill", "-KILL", "-f", state])


def _answers(address):
    try:
        rpc(address, "get_service_info")
        return True
    except Exception:
        return False


def by_hand_round(round_number):
    """The same two moves done by hand on three private mariadbd, without detection."""
    prefix = f"127.0.{80 + round_number}"
    base = f"{WORK}/h{round_number}"
    servers = []
    for n in (1, 2, 3):
        directory = f"{base}/{n}"
        os.makedirs(f"{directory}/tmp")
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={directory}/data", "--auth-root-authentication-method=normal",
                        "--skip-test-db", f"--tmpdir={directory}/tmp", *ROOT], check=True, capture_output=True)
        servers.append(subprocess.Popen(["mariadbd", "--no-defaults", *ROOT, f"--datadir={directory}/data", f"--socket={directory}/s.sock",
                                         f"--bind-address={prefix}.{n}", "--port=3306", f"--tmpdir={directory}/tmp",
                                         f"--log-error={directory}/error.log", f"--server-id={n}", "--log-bin=mysql-bin",
                                         "--binlog-format=ROW", "--log-slave-updates", "--gtid-strict-mode=1", "--skip-name-resolve",
                                         "--innodb-buffer-pool-size=8M", "--performance-schema=OFF", "--rpl-semi-sync-slave-enabled=ON",
                                         "--rpl-semi-sync-master-wait-point=AFTER_SYNC"]))

    def root(n):
        return pymysql.connect(unix_socket=f"{base}/{n}/s.sock", user="root", autocommit=True)

    for n in (1, 2, 3):
        wait_for(lambda: _connects(lambda: root(n)))
    with root(1) as c:
        cur = c.cursor()
        for sql in ("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'pw'", "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'",
                    "CREATE USER 'bench'@'%' IDENTIFIED BY 'bench-pw'", "GRANT ALL ON bench.* TO 'bench'@'%'",
                    "CREATE DATABASE bench", "CREATE TABLE bench.acked (id INT PRIMARY KEY)", "SET GLOBAL rpl_semi_sync_master_enabled=ON"):
            cur.execute(sql)
    for n in (2, 3):
        with root(n) as c:
            c.cursor().execute(f"CHANGE MASTER TO MASTER_HOST='{prefix}.1', MASTER_USER='repl', MASTER_PASSWORD='pw', "
                               "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1")
            c.cursor().execute("START SLAVE")
            c.cursor().execute("SET GLOBAL read_only=ON")
    master = {"n": 1}
    writer = Writer(lambda: f"{prefix}.{master['n']}", "bench", "bench-pw")
    time.sleep(0.5)
    writer.start()
    time.sleep(1)
    started = time.monotonic()
    # (b) switchover 1 → 2.
    with root(1) as c:
        cur = c.cursor()
        cur.execute("SET GLOBAL read_only=ON")
        cur.execute("SELECT @@gtid_binlog_pos")
        position = cur.fetchone()[0]
    with root(2) as c:
        cur = c.cursor()
        cur.execute("SELECT MASTER_GTID_WAIT(%s, 30)", (position,))
        for sql in ("STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL rpl_semi_sync_master_enabled=ON", "SET GLOBAL read_only=OFF"):
            cur.execute(sql)
    master["n"] = 2
    for n, demote in ((3, False), (1, True)):
        with root(n) as c:
            c.cursor().execute("STOP SLAVE")
            c.cursor().execute(f"CHANGE MASTER TO MASTER_HOST='{prefix}.2', MASTER_USER='repl', MASTER_PASSWORD='pw', MASTER_USE_GTID=slave_pos"
                               + (", MASTER_DEMOTE_TO_SLAVE=1" if demote else ""))
            c.cursor().execute("START SLAVE")
    time.sleep(1)
    switchover_gap = writer.longest_gap(since=started - 0.05)
    # (a) failover: 2 dies, 3 is promoted at once.
    killed = time.monotonic()
    servers[1].send_signal(signal.SIGKILL)
    with root(3) as c:
        cur = c.cursor()
        cur.execute("STOP SLAVE IO_THREAD")
        cur.execute("SHOW SLAVE STATUS")
        columns = [d[0] for d in cur.description]
        received = dict(zip(columns, cur.fetchone()))["Gtid_IO_Pos"]
        cur.execute("SELECT MASTER_GTID_WAIT(%s, 30)", (received,))
        for sql in ("STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only=OFF"):
            cur.execute(sql)
    master["n"] = 3
    wait_for(lambda: writer.first_after(killed, f"{prefix}.2") is not None, limit=60)
    failover = writer.first_after(killed, f"{prefix}.2") - killed
    writer.stop = True
    writer.join()
    for server in servers:
        server.kill()
        server.wait()
    return failover, switchover_gap


def _connects(opener):
    try:
        opener().close()
        return True
    except Exception:
        return False


managed, by_hand = [], []
for number in range(1, ROUNDS + 1):
    by_hand.append(by_hand_round(number))
    managed.append(managed_round(number))
    print(f"round {number}: manager failover {managed[-1][0]:.2f} s, switchover gap {managed[-1][1] * 1000:.0f} ms, "
          f"lost rows {managed[-1][2]}; by hand failover {by_hand[-1][0]:.2f} s, switchover gap {by_hand[-1][1] * 1000:.0f} ms", flush=True)

failover, hand_failover = statistics.median(m[0] for m in managed), statistics.median(h[0] for h in by_hand)
gap, hand_gap = statistics.median(m[1] for m in managed), statistics.median(h[1] for h in by_hand)
print(f"median of {ROUNDS} rounds:")
print(f"(a) master crash -> first acknowledged write on the new master: manager {failover:.2f} s (goal < 5 s), "
      f"by hand without detection {hand_failover:.2f} s, ratio {failover / hand_failover:.1f}")
print(f"    of which the manager's own work after the {FAILOVER_AFTER} s --failover-after wait: {failover - FAILOVER_AFTER:.2f} s, "
      f"ratio to by hand {(failover - FAILOVER_AFTER) / hand_failover:.1f}")
print(f"(b) switchover, longest gap between acknowledged writes: manager {gap * 1000:.0f} ms (goal < 1000 ms), "
      f"by hand {hand_gap * 1000:.0f} ms, ratio {gap / hand_gap:.1f}")
print(f"acknowledged rows lost: {sum(m[2] for m in managed)}")
