# Sourced by the curl loops: writes Partner Center's request headers, with BENCH_ACCESS_TOKEN, to a
# private file named in $headers (removed on exit). The token goes in a file rather than on a
# command line other users can read.
headers=$(mktemp)
trap 'rm -f "$headers"' EXIT
chmod 600 "$headers"
{
  printf 'Authorization: Bearer %s\nAccept: application/json\n' "$BENCH_ACCESS_TOKEN"
  printf 'MS-CorrelationId: %s\n' "$(cat /proc/sys/kernel/random/uuid)"
  printf 'X-Locale: en-US\nMS-PartnerCenter-Application: PartnerCenter-Node/0.1.0\n'
} >"$headers"
