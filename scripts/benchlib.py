"""What the Python benchmarks share: JSON-RPC calls to a manager and polling."""
import json
import time
import urllib.parse
import urllib.request


def rpc(address, method, params=None, post=False):
    """Calls `method` on the manager at `address`:50000 (POST with `post`, else GET); answers the result."""
    url = f"http://{address}:50000/"
    if post:
        request = urllib.request.Request(url, json.dumps({"method": method, "params": params or {}, "id": 1}).encode(),
                                         {"Content-Type": "application/json"})
    else:
        request = urllib.request.Request(url + "?" + urllib.parse.urlencode({"method": method, "params": json.dumps(params or {})}),
                                         headers={"Content-Type": "application/json"})
    answer = json.load(urllib.request.urlopen(request, timeout=30))
    if answer.get("error"):
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def wait_for(condition, limit=300):
    """Polls `condition` every 50 ms until it holds (an exception counts as not yet); raises after `limit` seconds."""
    deadline = time.monotonic() + limit
    while True:
        try:
            if condition():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(0.05)
