// OpenSSL contexts for FastNetMon Flow over TLS.  Both sides speak TLS 1.3
// only.  The server context loads a certificate (or, in chain mode, the leaf
// followed by its intermediates) and a private key that must match it.  The
// client context verifies the peer's chain against --tls-ca or the system
// store; the hostname is checked per connection (see TlsTransport).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "status.h"

namespace nfr {

struct SslCtxFree {
  void operator()(SSL_CTX *c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL *s) const { SSL_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

Status MakeServerContext(const std::string &cert, const std::string &key, bool chain, SslCtxPtr *out);
// `ca_what` names the CA file's option in messages.
Status MakeClientContext(const std::string &ca_file, SslCtxPtr *out, const char *ca_what = "--tls-ca");

// Mutual TLS.  A client context presents `cert` (leaf + intermediates) and
// `key` to servers that ask; a server context asks every client for a
// certificate and accepts only one that chains to `ca_file` (the others
// fail the handshake).
Status UseClientCertificate(SSL_CTX *ctx, const std::string &cert, const std::string &key);
Status RequireClientCertificate(SSL_CTX *ctx, const std::string &ca_file);

// Drains OpenSSL's error queue into one readable line ("" if empty).
std::string SslErrors();

// Why a handshake failed: OpenSSL's queued errors plus, on a client, the
// certificate verification result (expired, self-signed, hostname mismatch).
std::string HandshakeFailure(SSL *ssl, int ret);

}  // namespace nfr
