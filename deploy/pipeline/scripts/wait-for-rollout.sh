#!/usr/bin/env bash
# Waits until an Argo Rollout runs the expected image version to completion, or reports why it stopped.
#   wait-for-rollout.sh <namespace> <rollout> <image-version> [timeout-seconds]
# Exit 0: the new version is the stable one. Exit 1: the canary was aborted (analysis failed), the Rollout is
# degraded, or the deadline passed. The verdict also goes to the job summary when run in GitHub Actions.
set -euo pipefail

if (($# < 3)); then
  echo "usage: $0 <namespace> <rollout> <image-version> [timeout-seconds]" >&2
  exit 2
fi
namespace=$1
rollout=$2
version=$3
timeout=${4:-1200}
deadline=$(($(date +%s) + timeout))
summary=${GITHUB_STEP_SUMMARY:-/dev/null}

report() {
  echo "$1"
  echo "$1" >>"$summary"
}

while :; do
  if ! json=$(kubectl -n "$namespace" get rollout "$rollout" -o json 2>/dev/null); then
    json='{}'
  fi
  images=$(jq -r '[.spec.template.spec.containers[]?.image] | join(" ")' <<<"$json")
  phase=$(jq -r '.status.phase // "Unknown"' <<<"$json")
  aborted=$(jq -r '.status.abort // false' <<<"$json")
  message=$(jq -r '.status.message // ""' <<<"$json")
  stable=$(jq -r '.status.stableRS // ""' <<<"$json")
  current=$(jq -r '.status.currentPodHash // ""' <<<"$json")

  if [[ $images != *"$version"* ]]; then
    state="waiting for Argo CD to sync ${version} (running: ${images:-nothing yet})"
  elif [[ $aborted == true ]]; then
    report "Rollout ${namespace}/${rollout} ABORTED on ${version}: ${message:-analysis failed}; stable version kept serving"
    exit 1
  elif [[ $phase == Degraded ]]; then
    report "Rollout ${namespace}/${rollout} DEGRADED on ${version}: ${message}"
    exit 1
  elif [[ $phase == Healthy && -n $stable && $stable == "$current" ]]; then
    report "Rollout ${namespace}/${rollout} is healthy on ${version}"
    exit 0
  else
    state="phase ${phase}${message:+: $message}"
  fi

  if (($(date +%s) >= deadline)); then
    report "Rollout ${namespace}/${rollout} did not finish ${version} within ${timeout}s (${state})"
    exit 1
  fi
  echo "$state"
  sleep 10
done
