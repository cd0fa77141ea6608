// TLS forward target: TLS 1.3 client over a non-blocking TCP socket.  The
// server's chain is verified (context) and so is url.host (SSL_set1_host);
// SNI carries the same name.  Writes are buffered (see SetBios).
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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
    if (!ssl_ || !SetBios() || SSL_set1_host(ssl_.get(), url_.host.c_str()) != 1 ||
        SSL_set_tlsext_host_name(ssl_.get(), url_.host.c_str()) != 1) {
      Close();
      return Status::Error("TLS setup for " + url_.HostPort() + " failed: " + SslErrors());
    }
    auto deadline = Clock::now() + std::chrono::seconds(10);
    for (;;) {
      ERR_clear_error();
      int rc = SSL_connect(ssl_.get());
      if (rc == 1) return Status::Ok();
      int err = SSL_get_error(ssl_.get(), rc);
      if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && Clock::now() < deadline) {
        PollFor(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, 100);
        continue;
      }
      std::string why = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE
                            ? std::string("timed out")
                            : HandshakeFailure(ssl_.get(), rc);
      Close();
      return Status::Error("TLS handshake with " + url_.HostPort() + " failed: " + why);
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
      return Status::Error("TLS write to " + url_.HostPort() + " failed: " + why);
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
        return Status::Error("TLS write to " + url_.HostPort() + " failed: " + why);
      }
    }
    return Status::Ok();
  }

  static constexpr int kWriteBuffer = 256 * 1024;
  Url url_;
  SSL_CTX *ctx_;
  int fd_ = -1;
  SslPtr ssl_;
};

}  // namespace

std::unique_ptr<Transport> MakeTlsTransport(const Url &url, SSL_CTX *ctx) {
  return std::make_unique<TlsTransport>(url, ctx);
}

}  // namespace nfr
