// tests/bench/relay_bench.cc — FastNetMon Flow records/s over TCP and TLS on loopback
// (issue 9, relay part). Uses the relay's own codec (libnfr_core: EncodeFrame, FrameReader).
//
//   relay_bench recv tcp|tls PORT N [CERT KEY]     accept one connection, decode N records,
//       print "recv N records S seconds R rec/s cpu C s" (C: this process's CPU time,
//       user+sys, over the same window, from getrusage)
//   relay_bench send tcp|tls HOST PORT N batched|naive [CA]
//       batched: frames (u64-LE length + message) encoded back to back into 256 KiB
//                buffers, one write / SSL_write per buffer;
//       naive:   a separate write for the length and for the message of every record.
//   relay_bench sendnf v9|ipfix HOST PORT N [RATE]
//       N flow records as NetFlow v9 or IPFIX UDP datagrams (templates first and every
//       64 datagrams), prepared beforehand (at most 200000 records' worth, sent again in
//       turn), sent with sendmmsg as fast as possible, or paced at RATE records/s
//       (a datagram when it is due, at most 16 per sendmmsg; prints the rate reached).
//   relay_bench sink tcp PORT
//       accept any number of connections (a thread each), decode every frame, until
//       SIGTERM/SIGINT; then print "sink N records K connections cpu C s".
// Records differ in addresses/ports/counters (encode cost is real, not a cached buffer).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <time.h>
#include <cerrno>
#include <chrono>
#include <span>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "codec.h"
#include "ipfix_encoder.h"

namespace {

struct Conn {
  int fd = -1;
  SSL *ssl = nullptr;
  bool Write(const void *p, size_t n) {
    const char *c = static_cast<const char *>(p);
    while (n) {
      long w = ssl ? SSL_write(ssl, c, (int)n) : ::write(fd, c, n);
      if (w <= 0) return false;
      c += w;
      n -= (size_t)w;
    }
    return true;
  }
  long Read(void *p, size_t n) { return ssl ? SSL_read(ssl, p, (int)n) : ::read(fd, p, n); }
};

[[noreturn]] void Die(const char *m) {
  perror(m);
  ERR_print_errors_fp(stderr);
  exit(1);
}

nfr::FlowRecord Rec(uint64_t i) {
  nfr::FlowRecord r;
  r.source = nfr::RecordSource::Netflow;
  r.ip_version = 4;
  r.src_ip = htonl(0x0a000000u | (uint32_t)(i & 0xffffff));
  r.dst_ip = htonl(0xc0a80000u | (uint32_t)((i * 7) & 0xffff));
  r.src_port = (uint16_t)(1024 + i % 60000);
  r.dst_port = 443;
  r.protocol = 6;
  r.packets = 1 + i % 100;
  r.length = 64 * r.packets;
  r.ip_length = r.length;
  r.input_interface = 2;
  r.output_interface = 3;
  r.ttl = 64;
  r.tcp_flags = 0x18;
  r.ts_sec = 1700000000 + (int64_t)(i / 1000);
  r.ts_usec = (int64_t)(i % 1000000);
  r.agent_ip = htonl(0x7f000001);
  return r;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double Cpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

// Big-endian datagram builder for the NetFlow v9 sender.
struct Be {
  std::vector<uint8_t> b;
  Be &u8(uint8_t v) { b.push_back(v); return *this; }
  Be &u16(uint16_t v) { return u8((uint8_t)(v >> 8)).u8((uint8_t)v); }
  Be &u32(uint32_t v) { return u16((uint16_t)(v >> 16)).u16((uint16_t)v); }
};

// NetFlow v9: template 256 = src/dst addr, ports, proto, pkts, bytes, first/last, in/out if, flags.
constexpr uint16_t kV9Fields[][2] = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {2, 4},
                                     {1, 4}, {22, 4}, {21, 4}, {10, 2}, {14, 2}, {6, 1}};
constexpr size_t kV9RecLen = 34;

std::vector<std::vector<uint8_t>> V9Datagrams(uint64_t n, uint64_t *records) {
  std::vector<std::vector<uint8_t>> out;
  uint64_t i = 0;
  uint32_t seq = 0;
  while (i < n) {
    bool tmpl = out.size() % 64 == 0;
    size_t room = 1400 - 20 - (tmpl ? 4 + 4 + 4 * 12 : 0) - 4;
    uint64_t k = std::min<uint64_t>(n - i, room / kV9RecLen);
    Be d;
    d.u16(9).u16((uint16_t)(k + (tmpl ? 1 : 0))).u32(100000).u32(1700000000).u32(seq++).u32(1);
    if (tmpl) {
      d.u16(0).u16(4 + 4 + 4 * 12).u16(256).u16(12);
      for (auto &f : kV9Fields) d.u16(f[0]).u16(f[1]);
    }
    d.u16(256).u16((uint16_t)(4 + k * kV9RecLen));
    for (uint64_t j = 0; j < k; ++j, ++i) {
      nfr::FlowRecord r = Rec(i);
      d.u32(ntohl(r.src_ip)).u32(ntohl(r.dst_ip)).u16(r.src_port).u16(r.dst_port).u8((uint8_t)r.protocol);
      d.u32((uint32_t)r.packets).u32((uint32_t)r.length).u32(90000).u32(99000).u16(2).u16(3).u8(r.tcp_flags);
    }
    out.push_back(std::move(d.b));
  }
  *records = i;
  return out;
}

std::vector<std::vector<uint8_t>> IpfixDatagrams(uint64_t n, uint64_t *records) {
  nfr::IpfixEncoderOptions o;
  o.template_refresh_messages = 64;
  nfr::IpfixEncoder enc(o);
  std::vector<std::vector<uint8_t>> out;
  std::vector<nfr::FlowRecord> recs;
  auto now = std::chrono::system_clock::now();
  for (uint64_t i = 0; i < n; i += recs.size()) {
    recs.clear();
    for (uint64_t j = i; j < n && j < i + 4096; ++j) recs.push_back(Rec(j));
    enc.encode(std::span<const nfr::FlowRecord>(recs.data(), recs.size()), now, out);
  }
  *records = n;
  return out;
}

int SendNetflow(const std::string &kind, const char *host, int port, uint64_t n, double rate) {
  uint64_t prepared = 0;
  auto dgrams = kind == "v9" ? V9Datagrams(std::min<uint64_t>(n, 200000), &prepared)
                             : IpfixDatagrams(std::min<uint64_t>(n, 200000), &prepared);
  uint64_t rounds = (n + prepared - 1) / prepared;  // whole rounds: at least n records
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, host, &a.sin_addr);
  if (connect(fd, (sockaddr *)&a, sizeof a)) Die("connect");
  uint64_t sent_dgrams = 0;
  const double per_dgram = (double)prepared / (double)dgrams.size();  // records
  const unsigned burst = rate > 0 ? 16 : 64;
  double t0 = Now(), c0 = Cpu();
  for (uint64_t r = 0; r < rounds; ++r) {
    for (size_t at = 0; at < dgrams.size();) {
      if (rate > 0) {  // paced: wait until the next datagram is due
        double due = t0 + (double)sent_dgrams * per_dgram / rate, now = Now();
        if (due > now) {
          timespec ts{(time_t)(due - now), (long)((due - now - (double)(time_t)(due - now)) * 1e9)};
          nanosleep(&ts, nullptr);
        }
      }
      mmsghdr m[64];
      iovec iov[64];
      unsigned k = 0;
      unsigned want = burst;
      if (rate > 0) {  // no more than is due now (at least one)
        double due_n = (Now() - t0) * rate / per_dgram - (double)sent_dgrams + 1;
        want = (unsigned)std::clamp(due_n, 1.0, (double)burst);
      }
      for (; k < want && at + k < dgrams.size(); ++k) {
        iov[k] = {dgrams[at + k].data(), dgrams[at + k].size()};
        m[k] = {};
        m[k].msg_hdr.msg_iov = &iov[k];
        m[k].msg_hdr.msg_iovlen = 1;
      }
      int s = sendmmsg(fd, m, k, 0);
      if (s < 0) {
        if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) continue;
        Die("sendmmsg");
      }
      at += (size_t)s;
      sent_dgrams += (size_t)s;
    }
  }
  double dt = Now() - t0;
  uint64_t records = rounds * prepared;
  printf("sendnf %llu records %llu datagrams %.3f seconds %.0f rec/s cpu %.3f s (%s)\n",
         (unsigned long long)records, (unsigned long long)sent_dgrams, dt, records / dt, Cpu() - c0, kind.c_str());
  return 0;
}

volatile sig_atomic_t g_stop = 0;

int Sink(int port) {
  signal(SIGTERM, [](int) { g_stop = 1; });
  signal(SIGINT, [](int) { g_stop = 1; });
  int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (sockaddr *)&a, sizeof a) || listen(ls, 64)) Die("bind/listen");
  printf("listening\n");
  fflush(stdout);
  static std::atomic<uint64_t> total{0}, bad{0};
  unsigned conns = 0;
  double c0 = Cpu();
  while (!g_stop) {
    pollfd p{ls, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int fd = accept(ls, nullptr, nullptr);
    if (fd < 0) continue;
    ++conns;
    std::thread([fd] {
      nfr::FrameReader fr;
      nfr::FlowRecord rec;
      constexpr size_t kChunk = 256 << 10;
      for (;;) {
        long r = ::read(fd, fr.WriteSpace(kChunk), kChunk);
        if (r <= 0) break;
        fr.Commit((size_t)r);
        uint64_t got = 0;
        nfr::FrameReader::Result res;
        while ((res = fr.Next(&rec)) == nfr::FrameReader::Result::kRecord) ++got;
        total += got;
        if (res == nfr::FrameReader::Result::kError) {
          ++bad;
          break;
        }
      }
      close(fd);
    }).detach();
  }
  printf("sink %llu records %u connections cpu %.3f s decode errors %llu\n", (unsigned long long)total.load(), conns,
         Cpu() - c0, (unsigned long long)bad.load());
  fflush(stdout);
  _exit(0);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc == 4 && std::string(argv[1]) == "sink") return Sink(atoi(argv[3]));
  if (argc < 5) {
    fprintf(stderr, "usage: relay_bench recv tcp|tls PORT N [CERT KEY] | send tcp|tls HOST PORT N batched|naive [CA] | sendnf v9|ipfix HOST PORT N [RATE] | sink tcp PORT\n");
    return 2;
  }
  std::string mode = argv[1], proto = argv[2];
  if (mode == "sendnf")
    return SendNetflow(proto, argv[3], atoi(argv[4]), strtoull(argv[5], nullptr, 10), argc > 6 ? atof(argv[6]) : 0);
  bool tls = proto == "tls";
  SSL_CTX *ctx = nullptr;
  Conn c;
  if (mode == "recv") {
    int port = atoi(argv[3]);
    uint64_t n = strtoull(argv[4], nullptr, 10);
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (sockaddr *)&a, sizeof a) || listen(ls, 4)) Die("bind/listen");
    if (tls) {
      ctx = SSL_CTX_new(TLS_server_method());
      if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[5]) != 1 ||
          SSL_CTX_use_PrivateKey_file(ctx, argv[6], SSL_FILETYPE_PEM) != 1)
        Die("tls server setup");
    }
    printf("listening\n");
    fflush(stdout);
    c.fd = accept(ls, nullptr, nullptr);
    if (c.fd < 0) Die("accept");
    if (tls) {
      c.ssl = SSL_new(ctx);
      SSL_set_fd(c.ssl, c.fd);
      if (SSL_accept(c.ssl) != 1) Die("SSL_accept");
    }
    if (tls) SSL_set_read_ahead(c.ssl, 1);
    nfr::FrameReader fr;
    nfr::FlowRecord rec;
    constexpr size_t kChunk = 256 << 10;
    uint64_t got = 0, sum = 0;
    double t0 = 0, c0 = 0;
    while (got < n) {
      long r = c.Read(fr.WriteSpace(kChunk), kChunk);
      if (r <= 0) break;
      if (!t0) {
        t0 = Now();
        c0 = Cpu();
      }
      fr.Commit((size_t)r);
      for (;;) {
        auto res = fr.Next(&rec);
        if (res == nfr::FrameReader::Result::kRecord) {
          got++;
          sum += rec.packets;
        } else if (res == nfr::FrameReader::Result::kError) {
          fprintf(stderr, "decode error %s\n", nfr::DecodeErrorName(fr.error()));
          return 1;
        } else {
          break;
        }
      }
    }
    double dt = Now() - t0, cpu = Cpu() - c0;
    printf("recv %llu records %.3f seconds %.0f rec/s cpu %.3f s (packets sum %llu)\n", (unsigned long long)got,
           dt, got / dt, cpu, (unsigned long long)sum);
    return got == n ? 0 : 1;
  }
  if (mode != "send" || argc < 7) return 2;
  const char *host = argv[3];
  int port = atoi(argv[4]);
  uint64_t n = strtoull(argv[5], nullptr, 10);
  bool naive = std::string(argv[6]) == "naive";
  c.fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, host, &a.sin_addr);
  if (connect(c.fd, (sockaddr *)&a, sizeof a)) Die("connect");
  if (tls) {
    ctx = SSL_CTX_new(TLS_client_method());
    if (argc > 7) {
      if (SSL_CTX_load_verify_locations(ctx, argv[7], nullptr) != 1) Die("CA");
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    }
    c.ssl = SSL_new(ctx);
    SSL_set_fd(c.ssl, c.fd);
    SSL_set_tlsext_host_name(c.ssl, "localhost");
    if (SSL_connect(c.ssl) != 1) Die("SSL_connect");
  }
  double t0 = Now(), c0 = Cpu();
  constexpr size_t kBatch = 256 << 10;
  std::vector<uint8_t> out(kBatch + nfr::kMaxFrameBytes);
  size_t used = 0;
  for (uint64_t i = 0; i < n; i++) {
    nfr::FlowRecord r = Rec(i);
    if (naive) {
      std::string msg;
      nfr::EncodeMessage(r, &msg);
      uint64_t len = msg.size();  // little-endian host
      if (!c.Write(&len, 8) || !c.Write(msg.data(), msg.size())) Die("write");
    } else {
      used += nfr::EncodeFrameTo(r, out.data() + used);
      if (used >= kBatch) {
        if (!c.Write(out.data(), used)) Die("write");
        used = 0;
      }
    }
  }
  if (used && !c.Write(out.data(), used)) Die("write");
  double dt = Now() - t0;
  printf("send %llu records %.3f seconds %.0f rec/s cpu %.3f s (%s)\n", (unsigned long long)n, dt, n / dt,
         Cpu() - c0, naive ? "naive" : "batched");
  // Close cleanly: an unread TLS session ticket in our receive queue would make
  // close() send a RST, which can discard what the receiver has not read yet.
  if (c.ssl) SSL_shutdown(c.ssl);
  shutdown(c.fd, SHUT_WR);
  char sink[4096];
  while (::read(c.fd, sink, sizeof sink) > 0) {
  }
  close(c.fd);
  return 0;
}
