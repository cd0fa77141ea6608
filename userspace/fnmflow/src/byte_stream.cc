#include "byte_stream.h"

#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>

#include "tls.h"

namespace nfr {

namespace {

class PlainStream : public ByteStream {
 public:
  explicit PlainStream(int fd) : fd_(fd) {}
  const char *kind() const override { return "tcp"; }
  Handshake Accept(std::string *) override { return Handshake::kDone; }
  bool handshake_done() const override { return true; }
  Read ReadSome(uint8_t *buf, size_t cap, std::string *) override {
    ssize_t n = recv(fd_, buf, cap, MSG_DONTWAIT);
    if (n > 0) return {Io::kData, static_cast<size_t>(n), static_cast<size_t>(n) == cap};
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return {Io::kWouldBlock};
    return {Io::kEnd};  // a reset is an end too: nothing to say beyond it
  }
  bool HasBuffered() const override { return false; }
  void HalfClose() override { shutdown(fd_, SHUT_WR); }

 private:
  int fd_;
};

class TlsStream : public ByteStream {
 public:
  TlsStream(int fd, SSL *ssl) : fd_(fd), ssl_(ssl) {}
  const char *kind() const override { return "tls"; }
  Handshake Accept(std::string *why) override {
    ERR_clear_error();
    int rc = SSL_accept(ssl_.get());
    if (rc == 1) {
      done_ = true;
      return Handshake::kDone;
    }
    int err = SSL_get_error(ssl_.get(), rc);
    if (err == SSL_ERROR_WANT_READ) return Handshake::kWantRead;
    if (err == SSL_ERROR_WANT_WRITE) return Handshake::kWantWrite;
    *why = HandshakeFailure(ssl_.get(), rc);
    return Handshake::kFailed;
  }
  bool handshake_done() const override { return done_; }
  Read ReadSome(uint8_t *buf, size_t cap, std::string *why) override {
    ERR_clear_error();
    int rc = SSL_read(ssl_.get(), buf, static_cast<int>(cap));
    if (rc > 0) return {Io::kData, static_cast<size_t>(rc), SSL_has_pending(ssl_.get()) != 0};
    int err = SSL_get_error(ssl_.get(), rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return {Io::kWouldBlock};
    if (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL) return {Io::kEnd};
    *why = SslErrors();
    return {Io::kError};
  }
  bool HasBuffered() const override { return SSL_has_pending(ssl_.get()) != 0; }
  void HalfClose() override {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // sends close_notify
    shutdown(fd_, SHUT_WR);
  }

 private:
  int fd_;
  SslPtr ssl_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<ByteStream> MakePlainStream(int fd) { return std::make_unique<PlainStream>(fd); }
std::unique_ptr<ByteStream> MakeTlsStream(int fd, SSL *ssl) { return std::make_unique<TlsStream>(fd, ssl); }

}  // namespace nfr
