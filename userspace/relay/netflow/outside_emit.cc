// Test helper for outside_test.sh: encodes a fixed set of flow records with
// IpfixEncoder and
//   outside_emit expect            prints them, one line each:
//                                  PROTO SRC SPORT DST DPORT PACKETS BYTES
//   outside_emit send PORT         sends the IPFIX messages to 127.0.0.1:PORT
//   outside_emit pcap FILE         writes them as UDP/4739 packets to a pcap
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ipfix_encoder.h"

namespace {

using nfr::FlowRecord;

std::vector<FlowRecord> known_records() {
    std::vector<FlowRecord> v;
    for (uint32_t i = 0; i < 60; ++i) {
        FlowRecord r;
        r.ip_version = i % 4 == 3 ? 6 : 4;
        if (r.ip_version == 4) {
            uint8_t s[4] = {10, 1, static_cast<uint8_t>(i / 7), static_cast<uint8_t>(1 + i)};
            uint8_t d[4] = {192, 0, 2, static_cast<uint8_t>(200 - i)};
            std::memcpy(&r.src_ip, s, 4);
            std::memcpy(&r.dst_ip, d, 4);
        } else {
            r.src_ipv6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(i)};
            r.dst_ipv6 = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, static_cast<uint8_t>(i)};
        }
        r.protocol = i % 3 == 0 ? 6 : i % 3 == 1 ? 17 : 132;
        r.src_port = static_cast<uint16_t>(30000 + i * 17);
        r.dst_port = static_cast<uint16_t>(i % 2 ? 443 : 53);
        r.packets = 1 + i * 1000;
        r.length = r.ip_length = 40 + uint64_t{i} * 1000003;
        r.tcp_flags = r.protocol == 6 ? 0x1b : 0;
        r.input_interface = 3;
        r.output_interface = 4;
        r.ts_sec = 1700000000 + i;
        v.push_back(r);
    }
    return v;
}

std::vector<std::vector<uint8_t>> messages() {
    nfr::IpfixEncoder enc;
    std::vector<std::vector<uint8_t>> out;
    auto recs = known_records();
    enc.encode(recs, std::chrono::system_clock::time_point(std::chrono::seconds(1700000100)), out);
    return out;
}

std::string addr(const FlowRecord &r, bool src) {
    char buf[INET6_ADDRSTRLEN];
    if (r.ip_version == 6)
        inet_ntop(AF_INET6, src ? r.src_ipv6.data() : r.dst_ipv6.data(), buf, sizeof buf);
    else
        inet_ntop(AF_INET, src ? &r.src_ip : &r.dst_ip, buf, sizeof buf);
    return buf;
}

int expect() {
    for (const FlowRecord &r : known_records())
        std::printf("%u %s %u %s %u %llu %llu\n", r.protocol, addr(r, true).c_str(), r.src_port,
                    addr(r, false).c_str(), r.dst_port, static_cast<unsigned long long>(r.packets),
                    static_cast<unsigned long long>(r.length));
    return 0;
}

int send_to(int port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return perror("socket"), 1;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (const auto &m : messages()) {
        if (sendto(fd, m.data(), m.size(), 0, reinterpret_cast<sockaddr *>(&to), sizeof to) !=
            static_cast<ssize_t>(m.size()))
            return perror("sendto"), 1;
        usleep(2000);  // loopback has room, but nfcapd's socket buffer is finite
    }
    close(fd);
    return 0;
}

void le32(std::FILE *f, uint32_t v) { std::fwrite(&v, 4, 1, f); }  // x86: host order is LE
void le16(std::FILE *f, uint16_t v) { std::fwrite(&v, 2, 1, f); }

int write_pcap(const char *path) {
    std::FILE *f = std::fopen(path, "wb");
    if (!f) return perror(path), 1;
    le32(f, 0xa1b2c3d4);
    le16(f, 2);
    le16(f, 4);
    le32(f, 0);
    le32(f, 0);
    le32(f, 65535);
    le32(f, 1);  // Ethernet
    uint32_t t = 1700000100;
    for (const auto &m : messages()) {
        std::vector<uint8_t> p(14 + 20 + 8);
        p[12] = 0x08;  // IPv4
        uint8_t *ip = &p[14];
        uint16_t ip_len = static_cast<uint16_t>(20 + 8 + m.size());
        ip[0] = 0x45;
        ip[2] = static_cast<uint8_t>(ip_len >> 8);
        ip[3] = static_cast<uint8_t>(ip_len);
        ip[8] = 64;
        ip[9] = 17;
        ip[12] = 127, ip[15] = 1, ip[16] = 127, ip[19] = 1;
        uint32_t sum = 0;
        for (int i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
        ip[10] = static_cast<uint8_t>(~sum >> 8);
        ip[11] = static_cast<uint8_t>(~sum);
        uint8_t *udp = &p[34];
        udp[0] = 0xc3, udp[1] = 0x50;                // 50000
        udp[2] = 4739 >> 8, udp[3] = 4739 & 0xff;    // IPFIX
        uint16_t udp_len = static_cast<uint16_t>(8 + m.size());
        udp[4] = static_cast<uint8_t>(udp_len >> 8);
        udp[5] = static_cast<uint8_t>(udp_len);      // checksum 0: none (IPv4)
        p.insert(p.end(), m.begin(), m.end());
        le32(f, t++);
        le32(f, 0);
        le32(f, static_cast<uint32_t>(p.size()));
        le32(f, static_cast<uint32_t>(p.size()));
        std::fwrite(p.data(), 1, p.size(), f);
    }
    return std::fclose(f) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char **argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "expect" && argc == 2) return expect();
    if (mode == "send" && argc == 3) return send_to(std::atoi(argv[2]));
    if (mode == "pcap" && argc == 3) return write_pcap(argv[2]);
    std::fprintf(stderr, "usage: %s expect | send PORT | pcap FILE\n", argv[0]);
    return 2;
}
