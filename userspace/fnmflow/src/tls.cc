#include "tls.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

namespace nfr {

std::string SslErrors() {
  std::string out;
  unsigned long e;
  int n = 0;
  while ((e = ERR_get_error()) != 0 && n++ < 16) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    const char *reason = ERR_reason_error_string(e);
    out += reason ? reason : buf;
  }
  return out;
}

std::string HandshakeFailure(SSL *ssl, int ret) {
  int err = SSL_get_error(ssl, ret);
  std::string why;
  if (!SSL_is_server(ssl)) {
    long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK) why = std::string("certificate verify failed: ") + X509_verify_cert_error_string(v);
  }
  std::string q = SslErrors();
  if (!q.empty() && why.empty()) why = q;
  if (why.empty()) {
    if (err == SSL_ERROR_SYSCALL)
      why = errno ? std::string("connection error: ") + std::strerror(errno) : "peer closed the connection";
    else if (err == SSL_ERROR_ZERO_RETURN)
      why = "peer closed the connection";
    else
      why = "TLS error " + std::to_string(err);
  }
  return why;
}

static Status Base(const SSL_METHOD *m, SSL_CTX **out) {
  SSL_CTX *ctx = SSL_CTX_new(m);
  if (!ctx) return Status::Tls("SSL_CTX_new: " + SslErrors());
  // FastNetMon Flow: TLS 1.3 only, both sides.
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    SSL_CTX_free(ctx);
    return Status::Tls("cannot restrict TLS to 1.3: " + SslErrors());
  }
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  *out = ctx;
  return Status::Ok();
}

// A certificate (or leaf + intermediates) and the private key that matches it.
static Status LoadIdentity(SSL_CTX *ctx, const std::string &cert, const std::string &key, bool chain) {
  int ok = chain ? SSL_CTX_use_certificate_chain_file(ctx, cert.c_str())
                 : SSL_CTX_use_certificate_file(ctx, cert.c_str(), SSL_FILETYPE_PEM);
  if (ok != 1) return Status::Tls("cannot load TLS certificate '" + cert + "': " + SslErrors());
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    std::string why = SslErrors();
    if (why.find("mismatch") != std::string::npos)
      return Status::Tls("TLS private key '" + key + "' does not match certificate '" + cert + "'");
    return Status::Tls("cannot load TLS private key '" + key + "': " + why);
  }
  if (SSL_CTX_check_private_key(ctx) != 1)
    return Status::Tls("TLS private key '" + key + "' does not match certificate '" + cert + "'");
  return Status::Ok();
}

Status UseClientCertificate(SSL_CTX *ctx, const std::string &cert, const std::string &key) {
  if (cert.empty() != key.empty())
    return Status::Tls("a TLS client certificate needs both its certificate and its key file");
  if (cert.empty()) return Status::Ok();
  return LoadIdentity(ctx, cert, key, true);
}

Status RequireClientCertificate(SSL_CTX *ctx, const std::string &ca_file) {
  if (ca_file.empty()) return Status::Ok();
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1)
    return Status::Tls("cannot load the TLS client CA '" + ca_file + "': " + SslErrors());
  STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_file.c_str());
  if (names) SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // One session ticket, sent only once the client's certificate passed: the
  // client's sign that it may write (TLS 1.3 ends its handshake before).
  SSL_CTX_set_num_tickets(ctx, 1);
  return Status::Ok();
}

Status MakeServerContext(const std::string &cert, const std::string &key, bool chain, SslCtxPtr *out) {
  SSL_CTX *raw = nullptr;
  Status s = Base(TLS_server_method(), &raw);
  if (!s.ok()) return s;
  SslCtxPtr ctx(raw);
  s = LoadIdentity(ctx.get(), cert, key, chain);
  if (!s.ok()) return s;
  SSL_CTX_set_num_tickets(ctx.get(), 0);  // clients are exporters; no resumption needed
  // Inputs: read ahead into a 64 KiB buffer, several TLS records per read(2)
  // instead of a read for each record header and one for its body (the
  // reader then checks SSL_has_pending, see inputs.cc).
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  SSL_CTX_set_default_read_buffer_len(ctx.get(), 64 * 1024);
  *out = std::move(ctx);
  return Status::Ok();
}

Status MakeClientContext(const std::string &ca_file, SslCtxPtr *out, const char *ca_what) {
  SSL_CTX *raw = nullptr;
  Status s = Base(TLS_client_method(), &raw);
  if (!s.ok()) return s;
  SslCtxPtr ctx(raw);
  if (!ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1)
      return Status::Tls(std::string("cannot load ") + ca_what + " '" + ca_file + "': " + SslErrors());
  } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
    return Status::Tls("cannot load the system CA store: " + SslErrors());
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  *out = std::move(ctx);
  return Status::Ok();
}

}  // namespace nfr
