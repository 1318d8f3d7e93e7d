#!/usr/bin/env bash
# Makes the TLS certificates of a lobbyq deployment with openssl: a private CA, a
# certificate for a branch's server and certificates for its devices.
#
#   deploy/make-certs.sh OUTDIR [--host NAME]... [--ip ADDRESS]... [--client NAME]... [--days N]
#
#   deploy/make-certs.sh /etc/lobbyq/tls --host lobbyq.branch.example --ip 10.1.2.3 \
#       --client kiosk-1 --client counter-3
#
# OUTDIR/ca.crt, ca.key            the CA, made on the first run; later runs sign with it,
#                                  so a device added later trusts and is trusted by the rest.
#                                  Whoever holds ca.key can make certificates everyone
#                                  trusts: keep it off the server, offline.
# OUTDIR/server.crt, server.key    lobbyq-server --tls-cert / --tls-key. Its names are
#                                  exactly the --host and --ip given; clients must reach the
#                                  server by one of them (or pass --tls-server-name).
# OUTDIR/clients/NAME.crt, .key    a device's --tls-cert / --tls-key, for mutual TLS
#                                  (lobbyq-server --tls-client-ca OUTDIR/ca.crt).
# Clients verify the server with --tls-ca OUTDIR/ca.crt.
#
# Keys are EC P-256, private keys mode 0600. Server and device certificates are valid
# for --days (default 397, about 13 months: renew yearly), the CA for 10 years. A
# certificate named again is made anew, with a new key.
set -euo pipefail
umask 077

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
die() {
  echo "make-certs.sh: $*" >&2
  exit 2
}

command -v openssl >/dev/null || die "openssl is not installed: apt-get install openssl"
[ $# -ge 1 ] || { usage >&2; exit 2; }
case "$1" in
  -h | --help) usage; exit 0 ;;
  -*) die "the first argument is the output directory, e.g. make-certs.sh ./tls --host NAME" ;;
esac
out=$1
shift

hosts=()
ips=()
clients=()
days=397
label='[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?'
while [ $# -gt 0 ]; do
  case "$1" in
    --host | --ip | --client | --days) [ $# -ge 2 ] || die "$1 needs a value (see --help)" ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  case "$1" in
    --host)
      [[ $2 =~ ^(\*\.)?$label(\.$label)*$ ]] || die "--host '$2' is not a host name"
      hosts+=("$2") ;;
    --ip)
      [[ $2 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ || $2 =~ ^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$ ]] ||
        die "--ip '$2' is not an IPv4 or IPv6 address"
      ips+=("$2") ;;
    --client)
      [[ $2 =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] ||
        die "--client '$2': use letters, digits, '.', '_' and '-' (it names the files)"
      clients+=("$2") ;;
    --days)
      [[ $2 =~ ^[1-9][0-9]{0,3}$ ]] || die "--days '$2' is not a number of days (1-9999)"
      days=$2 ;;
  esac
  shift 2
done
if [ $((${#hosts[@]} + ${#ips[@]} + ${#clients[@]})) -eq 0 ]; then
  die "nothing to make: give --host and/or --ip for the server, --client NAME for a device"
fi

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One openssl run per certificate, its key included: tests make several sets.
ec_key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc)

# openssl without its progress marks; what it says shows only when it fails.
run_openssl() {
  if ! openssl "$@" 2>"$tmp/openssl.err"; then
    cat "$tmp/openssl.err" >&2
    die "openssl $1 failed (its message is above); nothing was changed in $out"
  fi
}

# The file `$2` moved into place as `$1`: readable by all for a certificate, by the
# owner only for a key (umask 077).
install_file() {
  mv -f "$2" "$1"
  case "$1" in *.crt) chmod 644 "$1" ;; *) chmod 600 "$1" ;; esac
}

if [ -f "$out/ca.crt" ] && [ -f "$out/ca.key" ]; then
  echo "Using the CA in $out (ca.crt, ca.key)"
elif [ -e "$out/ca.crt" ] || [ -e "$out/ca.key" ]; then
  die "$out has only one of ca.crt and ca.key: restore the other, or move both away to make a new CA (every certificate it signed must then be made again)"
else
  cat >"$tmp/ca.cnf" <<END
[req]
distinguished_name = dn
prompt = no
x509_extensions = ca
[dn]
O = lobbyq
CN = lobbyq private CA $(date -u +%Y-%m-%d)
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
END
  run_openssl req -x509 -config "$tmp/ca.cnf" "${ec_key[@]}" -keyout "$tmp/ca.key" -sha256 \
    -days 3650 -out "$tmp/ca.crt"
  install_file "$out/ca.key" "$tmp/ca.key"
  install_file "$out/ca.crt" "$tmp/ca.crt"
  echo "Made a new CA: $out/ca.crt (key $out/ca.key: keep it offline)"
fi
if ! openssl x509 -checkend $((days * 86400)) -noout -in "$out/ca.crt" >/dev/null; then
  echo "make-certs.sh: warning: the CA expires within $days days, before these certificates do; move ca.crt and ca.key away to make a new CA" >&2
fi

# sign FILE_STEM CN USAGE SAN: a new key and a certificate signed by the CA, made in
# $tmp and moved to FILE_STEM.{crt,key} once every one is made and verified.
made=()
sign() {
  local stem=$1 cn=$2 usage=$3 san=$4 n=${#made[@]}
  cat >"$tmp/$n.cnf" <<END
[req]
distinguished_name = dn
prompt = no
[dn]
O = lobbyq
CN = $cn
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = $usage
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
${san:+subjectAltName = $san}
END
  # A random serial: two certificates of one CA must never share one.
  run_openssl req -config "$tmp/$n.cnf" "${ec_key[@]}" -keyout "$tmp/$n.key" \
    -CA "$out/ca.crt" -CAkey "$out/ca.key" -extensions leaf -sha256 -days "$days" \
    -set_serial "0x$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" -out "$tmp/$n.crt"
  made+=("$stem")
}

if [ $((${#hosts[@]} + ${#ips[@]})) -gt 0 ]; then
  names=()
  for h in ${hosts[@]+"${hosts[@]}"}; do names+=("DNS:$h"); done
  for i in ${ips[@]+"${ips[@]}"}; do names+=("IP:$i"); done
  san=$(IFS=,; echo "${names[*]}")
  first=${hosts[0]:-${ips[0]}}
  sign "$out/server" "$first" serverAuth "$san"
fi
for c in ${clients[@]+"${clients[@]}"}; do
  sign "$out/clients/$c" "$c" clientAuth ""
done

# A reused CA whose key is not its certificate's would sign certificates nobody accepts.
certs=()
for n in "${!made[@]}"; do certs+=("$tmp/$n.crt"); done
openssl verify -CAfile "$out/ca.crt" "${certs[@]}" >/dev/null ||
  die "the new certificates do not verify against $out/ca.crt: do ca.crt and ca.key belong together?"

[ ${#clients[@]} -eq 0 ] || mkdir -p "$out/clients"
for n in "${!made[@]}"; do
  install_file "${made[$n]}.key" "$tmp/$n.key"
  install_file "${made[$n]}.crt" "$tmp/$n.crt"
done
if [ $((${#hosts[@]} + ${#ips[@]})) -gt 0 ]; then
  echo "Server certificate: $out/server.crt, key $out/server.key, for $san, $days days"
fi
for c in ${clients[@]+"${clients[@]}"}; do
  echo "Device certificate: $out/clients/$c.crt, key $out/clients/$c.key, $days days"
done
