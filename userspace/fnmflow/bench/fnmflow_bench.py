#!/usr/bin/env python3
"""fnmflow_bench.py URL COUNT [CA]: libfnmflow's sender driven from Python
(tests/bench/fnmflow.sh).  Records are made in Python once (a batch of 4096
fnmflow.Record) and sent COUNT/4096 times, as an exporter handing over
batches would; `make` mode (env FNMFLOW_BENCH_MAKE=1) builds every Record
in Python instead, to show that cost."""
import os
import sys
import time

import fnmflow

url, n = sys.argv[1], int(sys.argv[2])
ca = sys.argv[3] if len(sys.argv) > 3 else None
BATCH = 4096


def make(i):
    return fnmflow.Record(source=3, src_ip=0x0100000a + ((i & 255) << 24), dst_ip=0x070264c6, src_port=1024 + i % 4096,
                          dst_port=443, protocol=6, packets=10, length=15000, ts_sec=1764930000)


build_each = os.environ.get("FNMFLOW_BENCH_MAKE") == "1"
batch = (fnmflow.Record * BATCH)(*[make(i) for i in range(BATCH)])
with fnmflow.Sender(url, tls_ca_file=ca, queue_size=1 << 20, connect_now=True) as s:
    print("start %.6f" % time.time(), flush=True)  # the clock starts here, not at interpreter start
    left = n
    while left > 0:
        k = min(left, BATCH)
        if build_each:
            recs = [make(i) for i in range(k)]
        else:
            recs = batch if k == BATCH else batch[:k]
        if s.send(recs):
            sys.exit("queue full")
        left -= k
        while s.counters()["queued"] > 1 << 19:
            time.sleep(0.0002)
    s.flush(60000)
    if s.counters()["sent"] != n:
        sys.exit("sent %d of %d" % (s.counters()["sent"], n))
