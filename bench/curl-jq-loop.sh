#!/usr/bin/env bash
# Every customer the way an admin without this module would: curl for each page, jq to print the
# items and to pull out the next link and its MS-ContinuationToken. Same headers as the module.
#
#   BENCH_ACCESS_TOKEN=... bench/curl-jq-loop.sh <apiEndpoint> <caCertificate.pem> [pageSize]
set -euo pipefail
api=$1 ca=$2 size=${3:-500}
if ! command -v curl >/dev/null || ! command -v jq >/dev/null; then
  echo 'curl-jq-loop.sh needs curl and jq (apt-get install -y curl jq)' >&2
  exit 127
fi

# shellcheck source=support/curl-headers.sh
source "$(dirname "$0")/support/curl-headers.sh"

uri="/v1/customers?size=$size"
continuation=()
while :; do
  request_id=$(cat /proc/sys/kernel/random/uuid)
  page=$(curl -sSf --cacert "$ca" -H @"$headers" -H "MS-RequestId: $request_id" \
    "${continuation[@]}" "$api$uri")
  jq -c '.items[]' <<<"$page"
  next=$(jq -r '.links.next // empty
    | [.uri, (.headers[] | select(.key == "MS-ContinuationToken") | .value)]
    | @tsv' <<<"$page")
  [ -n "$next" ] || break
  IFS=$'\t' read -r uri token <<<"$next"
  # The service writes the link with and without /v1 (docs/partner-center-api.md); both are meant.
  case $uri in /v1/*) ;; *) uri="/v1$uri" ;; esac
  continuation=(-H "MS-ContinuationToken: $token")
done
