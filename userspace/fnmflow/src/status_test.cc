// Errors are typed values: each failing layer says what kind of failure it
// is (what libfnmflow's codes and the relay's exit status are made from).
#include "status.h"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "socket_util.h"
#include "tls.h"
#include "url.h"

namespace nfr {
namespace {

TEST_CASE("status: ok and typed errors", "[status]") {
  CHECK(Status().ok());
  CHECK(Status::Ok().code() == Code::kOk);
  Status s = Status::Timeout("send to x timed out");
  CHECK(!s.ok());
  CHECK(s.code() == Code::kTimeout);
  CHECK(s.message() == "send to x timed out");
}

TEST_CASE("status: each layer says what kind of failure it is", "[status]") {
  Url u;
  CHECK(ParseUrl("gopher://x:1", &u).code() == Code::kInvalid);
  CHECK(ParseUrl("tcp://127.0.0.1:99999", &u).code() == Code::kInvalid);

  SslCtxPtr ctx;
  CHECK(MakeServerContext("/nonexistent/cert.pem", "/nonexistent/key.pem", false, &ctx).code() == Code::kTls);
  CHECK(MakeClientContext("/nonexistent/ca.pem", &ctx).code() == Code::kTls);

  // A port nobody listens on: bind one, learn it, close it.
  int fd = -1;
  REQUIRE(ParseUrl("tcp://127.0.0.1:1", &u).ok());
  u.port = 0;
  REQUIRE(OpenListener(u, SOCK_STREAM, &fd).ok());
  uint16_t port = LocalPort(fd);
  // The same address again: the system refuses it.
  Url busy = u;
  busy.port = port;
  int fd2 = -1;
  Status s = OpenListener(busy, SOCK_STREAM, &fd2);
  CHECK(s.code() == Code::kIo);
  close(fd);
  int cfd = -1;
  s = ConnectTo(busy, SOCK_STREAM, std::chrono::milliseconds(2000), &cfd);
  CHECK(s.code() == Code::kConnect);
  if (cfd >= 0) close(cfd);
}

}  // namespace
}  // namespace nfr
