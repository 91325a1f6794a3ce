#!/usr/bin/env bash
# The loop people run today: one Get-PartnerCustomerSubscription process per customer id read from
# stdin, one after another. A customer that fails is reported by its process and the loop goes on.
# Each command's stdin is /dev/null: it inherits the loop's otherwise, and a cmdlet whose stdin is
# a pipe or a file reads pipeline input from it (even with -CustomerId given, -SubscriptionId could
# bind from it), which would swallow the ids still to come (as `ssh` does in such a loop; `ssh -n`).
#
#   PARTNERCENTER_CONFIG_DIR=... bench/shell-loop.sh <bin directory> < customer-ids.txt
set -uo pipefail
bin=$1
while read -r id; do
  "$bin/Get-PartnerCustomerSubscription" -CustomerId "$id" </dev/null
done
