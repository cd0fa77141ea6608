"""FastNetMon Flow (Cap'n Proto SimplePacketType over UDP, TCP, TLS 1.3) from Python.

A ctypes binding of libfnmflow.so.1 (no compiled extension):

    import fnmflow
    with fnmflow.Sender("tls://collector.example.net:8104", tls_ca_file="ca.pem") as s:
        s.send(fnmflow.Record(src_ip=fnmflow.ipv4("10.0.0.1"), dst_port=443, packets=1))
        s.flush(1000)

    r = fnmflow.Receiver("tcp://0.0.0.0:8104", lambda records: print(len(records)))

Errors raise fnmflow.Error (code, message).  Addresses are kept as the wire
carries them: src_ip/dst_ip/agent_ip hold the address bytes in memory order
(fnmflow.ipv4() and .ipv4_text() convert), src_ipv6/dst_ipv6 16 bytes,
src_mac/dst_mac 6 bytes.  The library is found as $FNMFLOW_LIBRARY, else
libfnmflow.so.1 through the dynamic loader.
"""

import ctypes
import ipaddress
import os

__all__ = ["Record", "Sender", "Receiver", "Error", "ipv4", "ipv4_text", "version",
           "OK", "EINVAL", "ENOMEM", "ERESOLVE", "ECONNECT", "ETLS", "ETIMEDOUT", "EIO", "ECLOSED",
           "EFULL"]

OK, EINVAL, ENOMEM, ERESOLVE, ECONNECT, ETLS, ETIMEDOUT, EIO, ECLOSED, EFULL = 0, -1, -2, -3, -4, -5, -6, -7, -8, -9
_CONNECT_NOW = 1

_lib = ctypes.CDLL(os.environ.get("FNMFLOW_LIBRARY") or "libfnmflow.so.1")

_u8, _u16, _u32, _u64, _i32, _i64 = (ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64,
                                     ctypes.c_int32, ctypes.c_int64)


class Record(ctypes.Structure):
    """struct fnmflow_record: one SimplePacketType message."""

    _fields_ = [
        ("source", _u8), ("ip_version", _u8), ("ttl", _u8), ("tcp_flags", _u8),
        ("ip_fragmented", _u8), ("ip_dont_fragment", _u8), ("direction", _u8),
        ("has_src_mac", _u8), ("has_dst_mac", _u8),
        ("_src_mac", _u8 * 6), ("_dst_mac", _u8 * 6), ("_reserved0", _u8),
        ("src_port", _u16), ("dst_port", _u16), ("_reserved1", _u16),
        ("sample_ratio", _u32), ("src_ip", _u32), ("dst_ip", _u32),
        ("_src_ipv6", _u8 * 16), ("_dst_ipv6", _u8 * 16),
        ("src_asn", _u32), ("dst_asn", _u32), ("input_interface", _u32), ("output_interface", _u32),
        ("protocol", _u32), ("agent_ip", _u32),
        ("length", _u64), ("ip_length", _u64), ("packets", _u64),
        ("ts_sec", _i64), ("ts_usec", _i64),
        ("payload_length", _i32), ("payload_full_length", _u32),
    ]

    def __init__(self, **fields):
        super().__init__()
        _lib.fnmflow_record_init(ctypes.byref(self))
        for k, v in fields.items():
            setattr(self, k, v)

    def _bytes(name, n):
        def get(self):
            return bytes(getattr(self, name))

        def put(self, value):
            value = bytes(value)
            if len(value) != n:
                raise ValueError("%s needs %d bytes" % (name[1:], n))
            getattr(self, name)[:] = value
        return property(get, put)

    src_mac = _bytes("_src_mac", 6)
    dst_mac = _bytes("_dst_mac", 6)
    src_ipv6 = _bytes("_src_ipv6", 16)
    dst_ipv6 = _bytes("_dst_ipv6", 16)
    del _bytes

    def as_dict(self):
        out = {}
        for name, _ in self._fields_:
            if name.startswith("_reserved"):
                continue
            out[name.lstrip("_")] = getattr(self, name.lstrip("_"))
        return out

    def __eq__(self, other):
        return isinstance(other, Record) and bytes(self) == bytes(other)

    def __repr__(self):
        return "Record(%s)" % ", ".join("%s=%r" % kv for kv in self.as_dict().items())


assert ctypes.sizeof(Record) == 144, "struct fnmflow_record layout"


class _Counters(ctypes.Structure):
    _fields_ = [(n, _u64) for n in ("sent", "queued", "dropped", "lost_in_flight", "errors", "connects",
                                    "sampler_seen", "sampler_selected")] + [("_reserved", _u64 * 8)]


class _ReceiverCounters(ctypes.Structure):
    _fields_ = [(n, _u64) for n in ("records", "malformed", "connections", "tls_handshake_failures")] + \
        [("_reserved", _u64 * 8)]


class _SenderOptions(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("tls_ca_file", ctypes.c_char_p), ("sampling_rate", _u32),
                ("flags", _u32), ("queue_size", ctypes.c_size_t), ("reconnect_interval_ms", _u32),
                ("reserved", _u32), ("errbuf", ctypes.c_char_p), ("errbuf_size", ctypes.c_size_t),
                ("tls_cert_file", ctypes.c_char_p), ("tls_key_file", ctypes.c_char_p)]


class _ReceiverOptions(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("tls_cert_file", ctypes.c_char_p), ("tls_key_file", ctypes.c_char_p),
                ("tls_chain", ctypes.c_int), ("reserved", ctypes.c_int), ("errbuf", ctypes.c_char_p),
                ("errbuf_size", ctypes.c_size_t), ("tls_client_ca_file", ctypes.c_char_p)]


_BATCH_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(Record), ctypes.c_size_t)
_p = ctypes.c_void_p
for _name, _res, _args in [
        ("fnmflow_version", ctypes.c_char_p, []),
        ("fnmflow_strerror", ctypes.c_char_p, [ctypes.c_int]),
        ("fnmflow_record_init", None, [ctypes.POINTER(Record)]),
        ("fnmflow_sender_open", ctypes.c_int, [ctypes.POINTER(_p), ctypes.c_char_p, ctypes.POINTER(_SenderOptions)]),
        ("fnmflow_sender_send", ctypes.c_int, [_p, ctypes.POINTER(Record), ctypes.c_size_t]),
        ("fnmflow_sender_flush", ctypes.c_int, [_p, ctypes.c_int]),
        ("fnmflow_sender_counters", ctypes.c_int, [_p, ctypes.POINTER(_Counters)]),
        ("fnmflow_sender_last_error", ctypes.c_char_p, [_p]),
        ("fnmflow_sender_close", None, [_p, ctypes.c_int]),
        ("fnmflow_receiver_open", ctypes.c_int,
         [ctypes.POINTER(_p), ctypes.c_char_p, ctypes.POINTER(_ReceiverOptions), _BATCH_FN, _p]),
        ("fnmflow_receiver_port", ctypes.c_int, [_p]),
        ("fnmflow_receiver_counters", ctypes.c_int, [_p, ctypes.POINTER(_ReceiverCounters)]),
        ("fnmflow_receiver_close", None, [_p])]:
    _f = getattr(_lib, _name)
    _f.restype, _f.argtypes = _res, _args


class Error(Exception):
    """A libfnmflow failure: .code (fnmflow.E*) and .message."""

    def __init__(self, code, message=""):
        self.code = code
        self.message = message or _lib.fnmflow_strerror(code).decode()
        super().__init__("%s (%s)" % (self.message, _lib.fnmflow_strerror(code).decode()))


def version():
    """Version of the loaded libfnmflow."""
    return _lib.fnmflow_version().decode()


def ipv4(text):
    """'10.0.0.1' -> the integer src_ip/dst_ip/agent_ip hold (address bytes in memory order)."""
    return int.from_bytes(ipaddress.IPv4Address(text).packed, "little")


def ipv4_text(value):
    """The inverse of ipv4()."""
    return str(ipaddress.IPv4Address(value.to_bytes(4, "little")))


def _path(p):
    return os.fsencode(p) if p is not None else None


class _Handle:
    """A library handle (self._h) closed by `with` or, unflushed, by the collector."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_h", None):
            self._close_now()


class Sender(_Handle):
    """A sender to udp://HOST:PORT, tcp://HOST:PORT or tls://HOSTNAME:PORT.

    Records are queued (bounded: queue_size) and written by the library's
    thread, which reconnects after failures.  send() is for one thread at a
    time; flush(), counters() any thread."""

    def __init__(self, url, tls_ca_file=None, sampling_rate=1, queue_size=0, reconnect_interval_ms=0,
                 connect_now=False, tls_cert_file=None, tls_key_file=None):
        err = ctypes.create_string_buffer(512)
        o = _SenderOptions(ctypes.sizeof(_SenderOptions), _path(tls_ca_file), sampling_rate,
                           _CONNECT_NOW if connect_now else 0, queue_size, reconnect_interval_ms, 0,
                           ctypes.cast(err, ctypes.c_char_p), len(err), _path(tls_cert_file),
                           _path(tls_key_file))
        self._h = _p()
        rc = _lib.fnmflow_sender_open(ctypes.byref(self._h), url.encode(), ctypes.byref(o))
        if rc != OK:
            self._h = None
            raise Error(rc, err.value.decode(errors="replace"))

    def send(self, records):
        """Queues a Record, a sequence of them or a (Record * n) array.  Returns the number that did
        not fit the queue (dropped and counted), 0 normally."""
        if isinstance(records, Record):
            arr, n = ctypes.pointer(records), 1
        elif isinstance(records, ctypes.Array) and records._type_ is Record:
            arr, n = records, len(records)  # (Record * n): passed as it is, no copy
        else:
            n = len(records)
            arr = (Record * n)(*records)
        before = self.counters()["dropped"]
        rc = _lib.fnmflow_sender_send(self._handle(), arr, n)
        if rc not in (OK, EFULL):
            raise Error(rc)
        return self.counters()["dropped"] - before

    def flush(self, timeout_ms=5000):
        """Waits until everything queued is written; Error(ETIMEDOUT) with the
        connection's last error otherwise."""
        rc = _lib.fnmflow_sender_flush(self._handle(), timeout_ms)
        if rc != OK:
            raise Error(rc, self.last_error())

    def counters(self):
        c = _Counters()
        _lib.fnmflow_sender_counters(self._handle(), ctypes.byref(c))
        return {n: getattr(c, n) for n, _ in c._fields_ if not n.startswith("_")}

    def last_error(self):
        return _lib.fnmflow_sender_last_error(self._handle()).decode(errors="replace")

    def close(self, flush_timeout_ms=5000):
        if self._h:
            _lib.fnmflow_sender_close(self._h, flush_timeout_ms)
            self._h = None

    def _handle(self):
        if not self._h:
            raise Error(ECLOSED)
        return self._h

    def _close_now(self):
        self.close(0)


class Receiver(_Handle):
    """Listens on udp://, tcp:// or tls://ADDRESS:PORT (port 0: any free one,
    see .port) and calls callback(records) with each batch, a list of
    Record, on the library's thread."""

    def __init__(self, url, callback, tls_cert_file=None, tls_key_file=None, tls_chain=False,
                 tls_client_ca_file=None):
        err = ctypes.create_string_buffer(512)
        o = _ReceiverOptions(ctypes.sizeof(_ReceiverOptions), _path(tls_cert_file), _path(tls_key_file),
                             1 if tls_chain else 0, 0, ctypes.cast(err, ctypes.c_char_p), len(err),
                             _path(tls_client_ca_file))

        def on_batch(_ctx, recs, n):
            try:
                callback([Record.from_buffer_copy(recs[i]) for i in range(n)])
            except Exception:  # an exception cannot cross into C: report it
                import traceback
                traceback.print_exc()

        self._fn = _BATCH_FN(on_batch)  # kept alive as long as the receiver
        self._h = _p()
        rc = _lib.fnmflow_receiver_open(ctypes.byref(self._h), url.encode(), ctypes.byref(o), self._fn, None)
        if rc != OK:
            self._h = None
            raise Error(rc, err.value.decode(errors="replace"))

    @property
    def port(self):
        return _lib.fnmflow_receiver_port(self._h)

    def counters(self):
        c = _ReceiverCounters()
        _lib.fnmflow_receiver_counters(self._h, ctypes.byref(c))
        return {n: getattr(c, n) for n, _ in c._fields_ if not n.startswith("_")}

    def close(self):
        if self._h:
            _lib.fnmflow_receiver_close(self._h)
            self._h = None

    _close_now = close
