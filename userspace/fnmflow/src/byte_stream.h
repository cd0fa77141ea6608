// ByteStream: the bytes of one accepted FastNetMon Flow connection, as the
// stream input reads them — the seam between the input's frame handling
// (frame_session.h) and what carries the bytes: a plain TCP socket or
// OpenSSL over one.  Unit tests give the input a scripted stream instead.
// Non-blocking throughout: nothing here waits.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace nfr {

class ByteStream {
 public:
  enum class Io {
    kData,        // n bytes were read
    kWouldBlock,  // nothing now: wait for the socket to be readable
    kEnd,         // the peer closed its side (or TLS close_notify)
    kError,       // the connection failed; *why says how
  };
  struct Read {
    Io io;
    size_t n = 0;
    // Bytes are (probably) waiting already: read again before waiting.
    bool more = false;
  };
  enum class Handshake { kDone, kWantRead, kWantWrite, kFailed };

  virtual ~ByteStream() = default;
  // "tcp" or "tls", for counters and messages.
  virtual const char *kind() const = 0;
  // The server side of the protocol's handshake, if it has one; kFailed
  // fills *why.  A plain stream is done from the start.
  virtual Handshake Accept(std::string *why) = 0;
  virtual bool handshake_done() const = 0;
  virtual Read ReadSome(uint8_t *buf, size_t cap, std::string *why) = 0;
  // Bytes read from the socket and held in user space (TLS read-ahead):
  // epoll will not report them, so the caller must come back by itself.
  virtual bool HasBuffered() const = 0;
  // We are done sending (FIN, after TLS close_notify); reading goes on.
  virtual void HalfClose() = 0;
};

// A plain TCP connection on `fd` (non-blocking; the caller keeps owning it).
std::unique_ptr<ByteStream> MakePlainStream(int fd);
// TLS on `fd` through `ssl` (which SSL_set_fd'd it); takes `ssl`.
std::unique_ptr<ByteStream> MakeTlsStream(int fd, SSL *ssl);

}  // namespace nfr
