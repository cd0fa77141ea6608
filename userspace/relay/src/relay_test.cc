// Relay::Setup's failures are typed: configuration (exit 2) against what the
// system refused (exit 1), as netflow-relay's exit status reports them.
#include "relay.h"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "socket_util.h"

namespace nfr {
namespace {

TEST_CASE("relay: exit status of a failed setup by the kind of error", "[relay]") {
  CHECK(ExitCodeOf(Status::Ok()) == 0);
  CHECK(ExitCodeOf(Status::Invalid("bad option")) == 2);
  CHECK(ExitCodeOf(Status::Tls("cannot load TLS certificate")) == 2);
  CHECK(ExitCodeOf(Status::Io("cannot bind")) == 1);
  CHECK(ExitCodeOf(Status::Connect("cannot connect")) == 1);
}

TEST_CASE("relay: setup refuses missing TLS material as configuration", "[relay]") {
  Options o;
  Url u;
  REQUIRE(ParseUrl("tls://127.0.0.1:1", &u).ok());
  o.listen.push_back(u);
  o.tls_cert = "/nonexistent/relay.crt";
  o.tls_key = "/nonexistent/relay.key";
  o.control_path = "/tmp/nfr-relay-test-" + std::to_string(getpid()) + ".sock";
  Relay r(o);
  Status s = r.Setup();
  CHECK(s.code() == Code::kTls);
  CHECK(ExitCodeOf(s) == 2);
  CHECK(s.message().find("/nonexistent/relay.crt") != std::string::npos);
}

TEST_CASE("relay: setup reports an address in use as a run-time failure", "[relay]") {
  Url u;
  REQUIRE(ParseUrl("tcp://127.0.0.1:1", &u).ok());
  u.port = 0;
  int fd = -1;
  REQUIRE(OpenListener(u, SOCK_STREAM, &fd).ok());
  u.port = LocalPort(fd);
  u.text = "tcp://127.0.0.1:" + std::to_string(u.port);
  Options o;
  o.listen.push_back(u);
  o.control_path = "/tmp/nfr-relay-test-" + std::to_string(getpid()) + ".sock";
  {
    Relay r(o);
    Status s = r.Setup();
    CHECK(s.code() == Code::kIo);
    CHECK(ExitCodeOf(s) == 1);
    CHECK(s.message().find(u.text) != std::string::npos);
  }
  close(fd);
}

}  // namespace
}  // namespace nfr
