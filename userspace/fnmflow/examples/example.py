#!/usr/bin/env python3
"""Receive and send FastNetMon Flow from Python with libfnmflow (loopback TCP)."""
import threading

import fnmflow

got = []
done = threading.Event()


def on_batch(records):  # runs on the receiver's thread
    got.extend(records)
    if len(got) >= 3:
        done.set()


with fnmflow.Receiver("tcp://127.0.0.1:0", on_batch) as receiver:
    with fnmflow.Sender("tcp://127.0.0.1:%d" % receiver.port) as sender:
        for port in (80, 443, 8104):
            sender.send(fnmflow.Record(src_ip=fnmflow.ipv4("192.0.2.1"), dst_ip=fnmflow.ipv4("198.51.100.7"),
                                       protocol=6, dst_port=port, packets=1, length=60))
        sender.flush(5000)
        print("sent", sender.counters()["sent"])
    done.wait(10)
for r in got:
    print(fnmflow.ipv4_text(r.src_ip), "->", "%s:%d" % (fnmflow.ipv4_text(r.dst_ip), r.dst_port), r.length, "bytes")
