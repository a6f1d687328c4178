#!/usr/bin/env bash
# Regenerates the TLS test fixtures: a CA, a server certificate for 127.0.0.1/localhost and a client
# certificate, all signed by that CA and valid for 100 years. Test-only keys: never use them elsewhere.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
days=36500
openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj '/CN=consent-governance test CA' \
  -keyout ca.key.pem -out ca.pem
for who in server client; do
  openssl req -newkey rsa:2048 -nodes -subj "/CN=consent-governance test $who" \
    -keyout "$who.key.pem" -out "$who.csr"
done
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
printf 'extendedKeyUsage=clientAuth\n' >client.ext
for who in server client; do
  openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key.pem -CAcreateserial -days "$days" \
    -extfile "$who.ext" -out "$who.pem"
done
rm -f ./*.csr ./*.ext ca.srl ca.key.pem
