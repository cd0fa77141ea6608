#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

namespace nfr {
namespace {

Status Parse(std::vector<const char *> args, Options *o, Command *cmd = nullptr) {
  args.insert(args.begin(), "netflow-relay");
  Command c;
  Status s = ParseCommandLine(static_cast<int>(args.size()), args.data(), &c, o);
  if (cmd) *cmd = c;
  return s;
}

// Why parsing or validating `args` fails (it must).
std::string FailureOf(std::vector<const char *> args) {
  Options o;
  Status s = Parse(args, &o);
  if (s.ok()) s = ValidateOptions(o);
  REQUIRE_FALSE(s.ok());
  return s.message();
}

std::string TempFile(const std::string &content, mode_t mode = 0600) {
  char name[] = "/tmp/nfr_config_testXXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  fchmod(fd, mode);
  close(fd);
  return name;
}

TEST_CASE("config: flags", "[config]") {
  Options o;
  Command cmd;
  REQUIRE(Parse({"--listen", "udp://127.0.0.1:9000", "--listen=tcp://[::1]:9001", "--forward",
                 "tls://localhost:9002", "--output", "jsonl:-", "--sampling-rate", "10",
                 "--reconnect-interval", "2", "--tls-chain", "--control", "/tmp/x.sock"},
                &o, &cmd)
              .ok());
  CHECK(cmd == Command::kRun);
  REQUIRE(o.listen.size() == 2);
  CHECK(o.listen[1].host == "::1");
  REQUIRE(o.forward.size() == 1);
  CHECK(o.jsonl_outputs == std::vector<std::string>{"-"});
  CHECK(o.sampling_rate == 10);
  CHECK(o.reconnect_interval == 2);
  CHECK(o.tls_chain);
  CHECK(o.control_path == "/tmp/x.sock");
  CHECK(ValidateOptions(o).ok());
}

TEST_CASE("config: defaults", "[config]") {
  Options o;
  REQUIRE(Parse({"--listen", "udp://0.0.0.0"}, &o).ok());
  CHECK(o.reconnect_interval == 60);
  CHECK(o.sampling_rate == 1);
  CHECK(o.control_path == kDefaultControlPath);
}

TEST_CASE("config: counters subcommand", "[config]") {
  Options o;
  Command cmd;
  REQUIRE(Parse({"counters", "--control", "/tmp/c.sock"}, &o, &cmd).ok());
  CHECK(cmd == Command::kCounters);
  CHECK(o.control_path == "/tmp/c.sock");
  CHECK_FALSE(Parse({"counters", "--listen", "udp://1.2.3.4"}, &o).ok());
}

TEST_CASE("config: bad flags name the problem", "[config]") {
  CHECK_THAT(FailureOf({"--bogus"}), Catch::Contains("unknown flag '--bogus'"));
  CHECK_THAT(FailureOf({"--listen"}), Catch::Contains("needs a value"));
  CHECK_THAT(FailureOf({"--listen", "udp://1.2.3.4:99999"}), Catch::Contains("out of range"));
  CHECK_THAT(FailureOf({"--listen", "ipfix://1.2.3.4:1"}), Catch::Contains("is an output"));
  CHECK_THAT(FailureOf({"--listen", "udp://1.2.3.4:1", "--forward", "netflow://1.2.3.4:1"}), Catch::Contains("is an input"));
  CHECK_THAT(FailureOf({"--listen", "udp://1.2.3.4:1", "--forward", "sflow://1.2.3.4:1"}), Catch::Contains("sflow:// is an input"));
  CHECK_THAT(FailureOf({"--listen", "udp://1.2.3.4:1", "--sampling-rate", "0"}), Catch::Contains("out of range"));
  CHECK_THAT(FailureOf({"--listen", "udp://1.2.3.4:1", "--sampling-rate", "-3"}), Catch::Contains("not a non-negative"));
  CHECK_THAT(FailureOf({"--listen", "udp://1.2.3.4:1", "--output", "csv:x"}), Catch::Contains("jsonl:PATH"));
  CHECK_THAT(FailureOf({"--listen", "udp://1.2.3.4:1", "--forward", "tls://127.0.0.1:1"}), Catch::Contains("IP literal"));
  CHECK_THAT(FailureOf({"--listen", "tls://127.0.0.1:1"}), Catch::Contains("needs --tls-cert"));
  CHECK_THAT(FailureOf({"--forward", "udp://127.0.0.1:1"}), Catch::Contains("nothing to listen"));
  CHECK_THAT(FailureOf({"stray"}), Catch::Contains("unexpected argument"));
  CHECK_THAT(FailureOf({"--config", "/nonexistent/relay.conf"}), Catch::Contains("cannot read config"));
}

TEST_CASE("config: world-readable private key is refused", "[config]") {
  std::string key = TempFile("not really a key\n", 0644);
  Options o;
  REQUIRE(Parse({"--listen", "udp://127.0.0.1:1", "--tls-key", key.c_str()}, &o).ok());
  Status s = ValidateOptions(o);
  CHECK_THAT(s.message(), Catch::Contains("world-readable"));
  chmod(key.c_str(), 0640);
  CHECK(ValidateOptions(o).ok());
  unlink(key.c_str());
}

TEST_CASE("config: mutual TLS flags", "[config]") {
  std::string ca = TempFile("ca\n"), cert = TempFile("cert\n"), skey = TempFile("key\n"),
              key = TempFile("key\n", 0644);
  Options o;
  REQUIRE(Parse({"--listen", "tls://127.0.0.1:1", "--tls-cert", cert.c_str(), "--tls-key", skey.c_str(),
                 "--tls-client-ca", ca.c_str(), "--forward", "tls://localhost:2", "--tls-client-cert", cert.c_str(),
                 "--tls-client-key", key.c_str()},
                &o)
              .ok());
  CHECK(o.tls_client_ca == ca);
  CHECK(o.tls_client_cert == cert);
  CHECK(o.tls_client_key == key);
  CHECK_THAT(ValidateOptions(o).message(), Catch::Contains("'" + key + "' is world-readable"));
  chmod(key.c_str(), 0600);
  CHECK(ValidateOptions(o).ok());
  CHECK_THAT(FailureOf({"--listen", "udp://127.0.0.1:1", "--tls-client-cert", cert.c_str()}),
             Catch::Contains("--tls-client-cert and --tls-client-key go together"));
  CHECK_THAT(FailureOf({"--listen", "udp://127.0.0.1:1", "--tls-client-ca", ca.c_str()}),
             Catch::Contains("--tls-client-ca is for tls:// inputs"));
  CHECK_THAT(FailureOf({"--listen", "tls://127.0.0.1:1", "--tls-cert", cert.c_str(), "--tls-key", key.c_str(),
                  "--tls-client-ca", "/nonexistent/ca.pem"}),
             Catch::Contains("--tls-client-ca '/nonexistent/ca.pem'"));
  for (const std::string &f : {ca, cert, skey, key}) unlink(f.c_str());
}

TEST_CASE("config: file with FastNetMon key names", "[config]") {
  std::string path = TempFile(
      "# relay\n"
      "tera_flow_local_addresses = [\"tcp://[::0]:8104\", \"udp://0.0.0.0:8104\"]\n"
      "tera_flow_tls_certificate_path = /etc/c.pem\n"
      "tera_flow_tls_private_key_path = \"/etc/k.pem\"\n"
      "tera_flow_tls_certificate_chain = on\n"
      "flow_forwarder_remote_addresses = tls://collector.example:8104, udp://[2001:db8::1]:9\n"
      "flow_forwarder_sampling_rate = 100\n"
      "reconnect_interval = 5\n"
      "output = jsonl:/tmp/out.jsonl\n");
  Options o;
  Command cmd;
  REQUIRE(Parse({"--config", path.c_str(), "--sampling-rate", "7"}, &o, &cmd).ok());
  REQUIRE(o.listen.size() == 2);
  CHECK(o.listen[0].scheme == Scheme::kTcp);
  CHECK(o.listen[0].host == "::0");
  CHECK(o.listen[1].scheme == Scheme::kUdp);
  CHECK(o.tls_cert == "/etc/c.pem");
  CHECK(o.tls_key == "/etc/k.pem");
  CHECK(o.tls_chain);
  REQUIRE(o.forward.size() == 2);
  CHECK(o.forward[0].host == "collector.example");
  CHECK(o.forward[1].host == "2001:db8::1");
  CHECK(o.sampling_rate == 7);  // flag after --config wins
  CHECK(o.reconnect_interval == 5);
  CHECK(o.jsonl_outputs == std::vector<std::string>{"/tmp/out.jsonl"});
  unlink(path.c_str());

  std::string bad = TempFile("listen = udp://1.2.3.4:1\nflow_forwarder_sampling_rate = lots\n");
  Options o2;
  Status s = Parse({"--config", bad.c_str()}, &o2);
  CHECK_THAT(s.message(), Catch::Contains(bad + ":2"));
  unlink(bad.c_str());
  std::string unknown = TempFile("tera_flow_colour = blue\n");
  s = Parse({"--config", unknown.c_str()}, &o2);
  CHECK_THAT(s.message(), Catch::Contains("unknown setting 'tera_flow_colour'"));
  unlink(unknown.c_str());
}

TEST_CASE("config: the shipped example file parses", "[config]") {
  Options o;
  REQUIRE(LoadConfigFile(NFR_EXAMPLE_CONF, &o).ok());
  REQUIRE(o.listen.size() == 2);
  CHECK(o.listen[0].text == "tcp://[::0]:8104");
  CHECK(ValidateOptions(o).ok());
}

}  // namespace
}  // namespace nfr
