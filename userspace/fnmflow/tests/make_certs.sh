#!/bin/bash
# make_certs.sh DIR: certificates for libfnmflow's TLS tests, made fresh by
# openssl each run: a test CA (ca.pem), a server certificate for localhost
# signed by it (good.pem/.key), one for otherhost.test (other.*), a
# self-signed one for localhost (self.*), and client certificates for mutual
# TLS: one signed by the CA (client.*), one self-signed (rogue.*).
set -euo pipefail
D=$1
rm -rf "$D" && mkdir -p "$D" && cd "$D"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -subj "/CN=fnmflow test CA" -days 2 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
issue() {  # NAME HOSTNAME [EXTENDED-KEY-USAGE]
  openssl req -new "${ec[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=%s\n' "$2" "${3:-serverAuth}" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile "$1.ext" \
    -out "$1.pem" 2>/dev/null
}
issue good localhost
issue other otherhost.test
issue client exporter.test clientAuth
openssl req -x509 "${ec[@]}" -keyout rogue.key -out rogue.pem -subj "/CN=exporter.test" -days 2 2>/dev/null
openssl req -x509 "${ec[@]}" -keyout self.key -out self.pem -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -days 2 2>/dev/null
chmod 600 ./*.key
openssl verify -CAfile ca.pem good.pem other.pem client.pem >/dev/null
