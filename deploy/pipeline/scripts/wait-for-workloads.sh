#!/usr/bin/env bash
# Waits until every workload of a stage runs its expected image: an HTTP service's canary Rollout through
# wait-for-rollout.sh, a worker's Deployment until it runs the image and has rolled out.
#   wait-for-workloads.sh <namespace> <workloads-json> <images-json> [timeout-seconds]
# <workloads-json> is `stage-image workloads <stage>` ([{"name","kind","image"}], from the platform model);
# <images-json> maps each image name to the reference it must run ({"api": "<repository>@<digest>"}).
# Exit 0: all are healthy on their image. Exit 1: at least one is not (each verdict is reported).
set -euo pipefail

if (($# < 3)); then
  echo "usage: $0 <namespace> <workloads-json> <images-json> [timeout-seconds]" >&2
  exit 2
fi
namespace=$1
workloads=$2
images=$3
timeout=${4:-1200}
here=$(dirname "$0")
summary=${GITHUB_STEP_SUMMARY:-/dev/null}

report() {
  echo "$1"
  echo "$1" >>"$summary"
}

# A worker takes no traffic and has no canary: wait for Argo CD to sync the image, then for the rollout.
wait_for_deployment() {
  local name=$1 ref=$2 deadline running left
  deadline=$(($(date +%s) + timeout))
  while :; do
    running=$(kubectl -n "$namespace" get deployment "$name" -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)
    [[ $running == "$ref" ]] && break
    if (($(date +%s) >= deadline)); then
      report "Deployment ${namespace}/${name} did not get ${ref} within ${timeout}s (running: ${running:-nothing})"
      return 1
    fi
    sleep 10
  done
  # kubectl reads a zero timeout as "wait forever": keep at least a second.
  left=$((deadline - $(date +%s)))
  if kubectl -n "$namespace" rollout status "deployment/${name}" --timeout="$((left > 0 ? left : 1))s"; then
    report "Deployment ${namespace}/${name} is healthy on ${ref}"
  else
    report "Deployment ${namespace}/${name} did not roll out ${ref}"
    return 1
  fi
}

status=0
while read -r name kind image; do
  ref=$(jq -er --arg i "$image" '.[$i]' <<<"$images")
  if [[ $kind == http ]]; then
    "$here/wait-for-rollout.sh" "$namespace" "$name" "$ref" "$timeout" || status=1
  else
    wait_for_deployment "$name" "$ref" || status=1
  fi
done < <(jq -r '.[] | "\(.name) \(.kind) \(.image)"' <<<"$workloads")
exit "$status"
