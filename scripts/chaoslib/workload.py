"""A client writing through the writer endpoint the whole run, and SQL on single nodes."""
import threading
import time

import pymysql

USER, PASSWORD = "chaos", "chaos-pw-7Q2"


def connect(host, port=3306, timeout=3):
    return pymysql.connect(host=host, port=port, user=USER, password=PASSWORD, connect_timeout=timeout,
                           read_timeout=timeout, write_timeout=timeout, autocommit=True)


def query(host, statement, arguments=None, timeout=5):
    """All rows of one statement on the server at `host`."""
    with connect(host, timeout=timeout) as connection:
        cursor = connection.cursor()
        cursor.execute(statement, arguments)
        return cursor.fetchall()


class Writer(threading.Thread):
    """Inserts ids 1, 2, ... every 20 ms through the writer endpoint; remembers which the server acknowledged."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.acknowledged, self.stopped = set(), False
        self.lock = threading.Lock()
        self.running = threading.Event()  # cleared: the writer waits (between two inserts)
        self.idle = threading.Event()
        self.running.set()

    def run(self):
        next_id, connection = 1, None
        while not self.stopped:
            if not self.running.is_set():
                self.idle.set()
                self.running.wait()
                self.idle.clear()
            try:
                if connection is None:
                    connection = connect(self.host, self.port, timeout=2)
                connection.cursor().execute("INSERT INTO chaos.acked VALUES (%s)", (next_id,))
                with self.lock:
                    self.acknowledged.add(next_id)
            except Exception:
                connection = None
                time.sleep(0.1)
            next_id += 1
            time.sleep(0.02)

    def pause(self):
        """Returns once no insert is in flight; none starts until `resume`."""
        self.running.clear()
        self.idle.wait()

    def resume(self):
        self.running.set()

    def stop(self):
        self.stopped = True
        self.running.set()
        self.join()

    def acked(self):
        with self.lock:
            return set(self.acknowledged)
