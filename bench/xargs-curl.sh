#!/usr/bin/env bash
# The parallel loop people run today: xargs -P over curl, one GET of a customer's subscriptions per
# id read from stdin, with one access token fetched beforehand. Each answer goes to <outdir>/<id>.json
# (parallel curls writing to one stdout would interleave). curl does not retry by default: a 429 is
# a lost customer (--fail: no file). With retries > 0, curl --retry retries 429s, waiting out
# Retry-After. One MS-CorrelationId for the run; no MS-RequestId per call (xargs runs curl directly).
#
#   BENCH_ACCESS_TOKEN=... bench/xargs-curl.sh <apiEndpoint> <ca.pem> <outdir> [parallel] [retries]
#     < customer-ids.txt
set -uo pipefail
api=$1 ca=$2 out=$3 parallel=${4:-8} retries=${5:-0}
if ! command -v curl >/dev/null || ! command -v xargs >/dev/null; then
  echo 'xargs-curl.sh needs curl and xargs (apt-get install -y curl findutils)' >&2
  exit 127
fi

# shellcheck source=support/curl-headers.sh
source "$(dirname "$0")/support/curl-headers.sh"

# xargs exits 123 when some curl failed: the caller counts what is missing.
xargs -P "$parallel" -I{} curl -sS --fail --retry "$retries" --cacert "$ca" -H @"$headers" \
  -o "$out/{}.json" "$api/v1/customers/{}/subscriptions"
