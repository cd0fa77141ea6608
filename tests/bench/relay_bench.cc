// tests/bench/relay_bench.cc — FastNetMon Flow records/s over TCP and TLS on loopback
// (issue 9, relay part). Uses the relay's own codec (libnfr_core: EncodeFrame, FrameReader).
//
//   relay_bench recv tcp|tls PORT N [CERT KEY]     accept one connection, decode N records,
//                                                   print "recv N records S seconds R rec/s"
//   relay_bench send tcp|tls HOST PORT N batched|naive [CA]
//       batched: frames (u64-LE length + message) encoded back to back into 64 KiB
//                buffers, one write per buffer;
//       naive:   a separate write for the length and for the message of every record.
// Records differ in addresses/ports/counters (encode cost is real, not a cached buffer).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "codec.h"

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

}  // namespace

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: relay_bench recv tcp|tls PORT N [CERT KEY] | send tcp|tls HOST PORT N batched|naive [CA]\n");
    return 2;
  }
  std::string mode = argv[1], proto = argv[2];
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
    nfr::FrameReader fr;
    nfr::FlowRecord rec;
    static uint8_t buf[1 << 16];
    uint64_t got = 0, sum = 0;
    double t0 = 0;
    while (got < n) {
      long r = c.Read(buf, sizeof buf);
      if (r <= 0) break;
      if (!t0) t0 = Now();
      fr.Feed(buf, (size_t)r);
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
    double dt = Now() - t0;
    printf("recv %llu records %.3f seconds %.0f rec/s (packets sum %llu)\n", (unsigned long long)got, dt,
           got / dt, (unsigned long long)sum);
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
  double t0 = Now();
  std::string out;
  out.reserve(1 << 17);
  for (uint64_t i = 0; i < n; i++) {
    nfr::FlowRecord r = Rec(i);
    if (naive) {
      std::string msg;
      nfr::EncodeMessage(r, &msg);
      uint64_t len = msg.size();  // little-endian host
      if (!c.Write(&len, 8) || !c.Write(msg.data(), msg.size())) Die("write");
    } else {
      nfr::EncodeFrame(r, &out);
      if (out.size() >= (1 << 16)) {
        if (!c.Write(out.data(), out.size())) Die("write");
        out.clear();
      }
    }
  }
  if (!out.empty() && !c.Write(out.data(), out.size())) Die("write");
  double dt = Now() - t0;
  printf("send %llu records %.3f seconds %.0f rec/s (%s)\n", (unsigned long long)n, dt, n / dt,
         naive ? "naive" : "batched");
  if (c.ssl) SSL_shutdown(c.ssl);
  close(c.fd);
  return 0;
}
