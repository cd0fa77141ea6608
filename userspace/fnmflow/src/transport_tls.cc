// TLS forward target: TLS 1.3 client over a non-blocking TCP socket.  The
// server's chain is verified (context) and so is url.host (SSL_set1_host);
// SNI carries the same name.  Writes are buffered (see SetBios).  A server
// that asks for a client certificate has its verdict awaited (see
// AwaitCertificateVerdict) before the connection counts as made.
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "socket_util.h"
#include "transport.h"

namespace nfr {

namespace {

class TlsTransport : public Transport {
 public:
  TlsTransport(const Url &url, SSL_CTX *ctx) : url_(url), ctx_(ctx) {}
  ~TlsTransport() override { Close(); }

  Status Connect() override {
    Close();
    Status s = ConnectTo(url_, SOCK_STREAM, std::chrono::milliseconds(5000), &fd_);
    if (!s.ok()) return s;
    ssl_.reset(SSL_new(ctx_));
    cert_requested_ = ticket_seen_ = false;
    if (ssl_) {
      SSL_set_msg_callback(ssl_.get(), &TlsTransport::OnMessage);
      SSL_set_msg_callback_arg(ssl_.get(), this);
    }
    if (!ssl_ || !SetBios() || SSL_set1_host(ssl_.get(), url_.host.c_str()) != 1 ||
        SSL_set_tlsext_host_name(ssl_.get(), url_.host.c_str()) != 1) {
      Close();
      return Status::Tls("TLS setup for " + url_.HostPort() + " failed: " + SslErrors());
    }
    const Clock::time_point started = Clock::now();
    auto deadline = started + std::chrono::seconds(10);
    for (;;) {
      ERR_clear_error();
      int rc = SSL_connect(ssl_.get());
      if (rc == 1) return cert_requested_ ? AwaitCertificateVerdict(started) : Status::Ok();
      int err = SSL_get_error(ssl_.get(), rc);
      if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && Clock::now() < deadline) {
        PollFor(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, 100);
        continue;
      }
      std::string why = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE
                            ? std::string("timed out")
                            : HandshakeFailure(ssl_.get(), rc);
      Close();
      return Status::Tls("TLS handshake with " + url_.HostPort() + " failed: " + why);
    }
  }
  bool connected() const override { return ssl_ != nullptr; }
  bool datagram() const override { return false; }
  void Close() override {
    ssl_.reset();
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool PeerClosed() override {
    char b[512];
    for (int i = 0; i < 64; ++i) {
      ERR_clear_error();
      int rc = SSL_read(ssl_.get(), b, sizeof b);
      if (rc > 0) continue;  // a FastNetMon Flow peer sends nothing; ignore
      int err = SSL_get_error(ssl_.get(), rc);
      if (err == SSL_ERROR_ZERO_RETURN) {
        // close_notify (e.g. a relay draining at shutdown): answer it, so the
        // peer sees a clean end rather than an unexpected EOF.
        ERR_clear_error();
        SSL_shutdown(ssl_.get());
        return true;
      }
      return !(err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE);
    }
    return false;
  }

  Status Send(const std::vector<std::string> &chunks, Clock::time_point deadline) override {
    Status s = Write(chunks, deadline);
    if (s.ok()) s = Flush(deadline);
    return s;
  }

 private:
  // TLS 1.3 ends the client's handshake before the server has checked the
  // client's certificate; a refusal comes as an alert after it, and what was
  // written meanwhile would be lost.  So when the server asked for a
  // certificate, wait for its verdict: the alert, or a session ticket (sent
  // once it accepted: netflow-relay and libfnmflow's receiver send one when
  // they ask for certificates).  A server that sends neither is given four
  // handshake times (250 ms to 2 s); a later refusal is a peer close.
  Status AwaitCertificateVerdict(Clock::time_point started) {
    auto took = Clock::now() - started;
    auto until = Clock::now() + std::clamp<Clock::duration>(4 * took, std::chrono::milliseconds(250),
                                                            std::chrono::seconds(2));
    char b[512];
    while (!ticket_seen_) {
      ERR_clear_error();
      int rc = SSL_read(ssl_.get(), b, sizeof b);
      if (rc > 0) continue;
      int err = SSL_get_error(ssl_.get(), rc);
      if (err == SSL_ERROR_WANT_READ) {
        if (ticket_seen_ || Clock::now() >= until) break;
        PollFor(fd_, POLLIN, 50);
        continue;
      }
      std::string why = HandshakeFailure(ssl_.get(), rc);
      Close();
      return Status::Tls("TLS handshake with " + url_.HostPort() + " failed: client certificate refused: " + why);
    }
    return Status::Ok();
  }

  static void OnMessage(int write_p, int, int content_type, const void *buf, size_t len, SSL *, void *arg) {
    if (write_p || content_type != SSL3_RT_HANDSHAKE || len == 0) return;
    auto *t = static_cast<TlsTransport *>(arg);
    switch (static_cast<const unsigned char *>(buf)[0]) {
      case SSL3_MT_CERTIFICATE_REQUEST: t->cert_requested_ = true; break;
      case SSL3_MT_NEWSESSION_TICKET: t->ticket_seen_ = true; break;
      default: break;
    }
  }

  // Reads from the socket directly; writes go through a 256 KiB buffer BIO,
  // so the 16 KiB TLS records of a batch leave in a few large write(2)s
  // instead of one each.  Send() flushes it at the end of every batch;
  // OpenSSL flushes it itself after handshake messages and alerts.
  bool SetBios() {
    BIO *r = BIO_new_socket(fd_, BIO_NOCLOSE);
    BIO *w = BIO_new_socket(fd_, BIO_NOCLOSE);
    BIO *buf = BIO_new(BIO_f_buffer());
    if (!r || !w || !buf || BIO_set_write_buffer_size(buf, kWriteBuffer) != 1) {
      BIO_free(r);
      BIO_free(w);
      BIO_free(buf);
      return false;
    }
    BIO_push(buf, w);
    SSL_set_bio(ssl_.get(), r, buf);  // the SSL owns both now
    return true;
  }

  Status Flush(Clock::time_point deadline) {
    BIO *w = SSL_get_wbio(ssl_.get());
    for (;;) {
      if (BIO_flush(w) > 0) return Status::Ok();
      if (BIO_should_retry(w) && Clock::now() <= deadline) {
        PollFor(fd_, POLLOUT, 100);
        continue;
      }
      std::string why = BIO_should_retry(w) ? std::string("timed out") : SslErrors();
      if (why.empty()) why = "connection lost";
      Close();
      return Status::Tls("TLS write to " + url_.HostPort() + " failed: " + why);
    }
  }

  Status Write(const std::vector<std::string> &chunks, Clock::time_point deadline) {
    for (const std::string &c : chunks) {
      size_t off = 0;
      while (off < c.size()) {
        ERR_clear_error();
        int n = SSL_write(ssl_.get(), c.data() + off, static_cast<int>(std::min<size_t>(c.size() - off, 1 << 20)));
        if (n > 0) {
          off += static_cast<size_t>(n);
          continue;
        }
        int err = SSL_get_error(ssl_.get(), n);
        if ((err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) && Clock::now() <= deadline) {
          PollFor(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, 100);
          continue;
        }
        std::string why = err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ ? "timed out" : SslErrors();
        if (why.empty()) why = "connection lost";
        Close();
        return Status::Tls("TLS write to " + url_.HostPort() + " failed: " + why);
      }
    }
    return Status::Ok();
  }

  static constexpr int kWriteBuffer = 256 * 1024;
  Url url_;
  SSL_CTX *ctx_;
  int fd_ = -1;
  SslPtr ssl_;
  bool cert_requested_ = false;  // this handshake: the server asked for a client certificate
  bool ticket_seen_ = false;    // ... and sent a session ticket (accepted it)
};

}  // namespace

std::unique_ptr<Transport> MakeTlsTransport(const Url &url, SSL_CTX *ctx) {
  return std::make_unique<TlsTransport>(url, ctx);
}

}  // namespace nfr
