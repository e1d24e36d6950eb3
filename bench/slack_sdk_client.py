"""Posts N messages through the official slack_sdk WebClient, C at a time; prints the wall
time and each message's latency as JSON. Arguments: API_URL TOKEN CHANNEL N C."""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient

api_url, token, channel, n, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
client = WebClient(token=token, base_url=api_url)


def send(i):
    started = time.perf_counter()
    client.chat_postMessage(channel=channel, text=f"slack_sdk message {i}")
    return time.perf_counter() - started


started = time.perf_counter()
with ThreadPoolExecutor(concurrency) as pool:
    latencies = list(pool.map(send, range(n)))
print(json.dumps({"wall": time.perf_counter() - started, "latencies": latencies}))
