#!/usr/bin/env bash
# Regenerates the one shared set of test certificates. They are committed (valid for 100 years), so tests
# never run this; run it only to change what the certificates say.
set -euo pipefail
cd "$(dirname "$0")"
days=36500
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# A CA that test clients trust, and a second one they do not (a TLS-inspecting proxy's).
for ca in ca intercept-ca; do
  ec "$ca.key"
  name="agent-gateway Test CA"; [ "$ca" = intercept-ca ] && name="Contoso Inspection Proxy CA"
  openssl req -x509 -new -key "$ca.key" -sha256 -days "$days" -subj "/O=agent-gateway tests/CN=$name" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$ca.crt"
done

sans="DNS:localhost,DNS:*.test,DNS:*.example.test,IP:127.0.0.1,IP:::1"
sans+=",DNS:*.his.arc.azure.com,DNS:*.guestconfiguration.azure.com,DNS:management.azure.com"
sans+=",DNS:login.microsoftonline.com,DNS:login.windows.net,DNS:pas.windows.net,DNS:*.servicebus.windows.net"
sans+=",DNS:*.blob.core.windows.net,DNS:*.ods.opinsights.azure.com,DNS:*.oms.opinsights.azure.com"
sans+=",DNS:*.agentsvc.azure-automation.net,DNS:*.azure-automation.net,DNS:*.monitor.azure.com"
sans+=",DNS:*.his.arc.azure.us,DNS:*.his.arc.azure.cn,DNS:download.microsoft.com,DNS:packages.microsoft.com"
sans+=",DNS:*.waconazure.com,DNS:aka.ms,DNS:gbl.his.arc.azure.com"

leaf() { # name ca subject extensions...
  local name=$1 ca=$2 subj=$3; shift 3
  ec "$name.key"
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
  openssl x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -sha256 -days "$days" \
    -extfile <(printf '%s\n' "$@") -out "$name.crt"
  rm "$name.csr"
}
leaf server ca "/O=agent-gateway tests/CN=localhost" "subjectAltName=$sans" \
  "extendedKeyUsage=serverAuth" "keyUsage=critical,digitalSignature"
leaf intercepted-server intercept-ca "/O=Contoso Inspection Proxy/CN=intercepted" "subjectAltName=$sans" \
  "extendedKeyUsage=serverAuth" "keyUsage=critical,digitalSignature"
leaf client-agent ca "/O=Contoso/CN=agent-1" "extendedKeyUsage=clientAuth" "keyUsage=critical,digitalSignature"
leaf client-intruder ca "/O=Evil Corp/CN=intruder" "extendedKeyUsage=clientAuth" "keyUsage=critical,digitalSignature"
rm -f ./*.srl
