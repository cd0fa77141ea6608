// nfr_kafka_mock: librdkafka's built-in mock Kafka cluster as a process, for
// the kafka:// integration test (Debian packages no Kafka broker).
// usage: nfr_kafka_mock BROKERS TOPIC:PARTITIONS...
// Prints the bootstrap servers on one line, then reads commands on stdin:
// "down N" / "up N" (broker id 1..BROKERS); exits at EOF.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char **argv) {
  if (argc < 2) {
    std::cerr << "usage: nfr_kafka_mock BROKERS TOPIC:PARTITIONS...\n";
    return 2;
  }
  char err[256];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    std::cerr << "rd_kafka_new: " << err << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, std::atoi(argv[1]));
  if (!mc) {
    std::cerr << "rd_kafka_mock_cluster_new failed\n";
    return 1;
  }
  for (int i = 2; i < argc; ++i) {
    std::string t = argv[i];
    size_t colon = t.find(':');
    int parts = colon == std::string::npos ? 1 : std::atoi(t.c_str() + colon + 1);
    if (rd_kafka_mock_topic_create(mc, t.substr(0, colon).c_str(), parts, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cerr << "cannot create topic " << t << "\n";
      return 1;
    }
  }
  std::cout << rd_kafka_mock_cluster_bootstraps(mc) << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    int id = 0;
    in >> cmd >> id;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (cmd == "down") e = rd_kafka_mock_broker_set_down(mc, id);
    else if (cmd == "up") e = rd_kafka_mock_broker_set_up(mc, id);
    else continue;
    std::cout << cmd << " " << id << " " << rd_kafka_err2name(e) << std::endl;
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
