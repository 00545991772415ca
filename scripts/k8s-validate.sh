#!/usr/bin/env bash
# Validates scripts/k8s-sweep.yaml without a cluster (run by .ci/run):
#   1. schema: kubernetes-validate (PyPI; it bundles the Kubernetes OpenAPI schemas) in
#      --strict mode (unknown fields are errors) against Kubernetes 1.31 and 1.37;
#   2. the shard/merge contract: an Indexed Job whose pod I runs `alphasweep sweep --shard
#      I/N --resume --out OUT/shard-I` with N = completions, and a merge Job that merges
#      OUT/shard-* from the same volume.
# kubectl's --dry-run=client is used too when an API server answers (`kubectl version`);
# without one kubectl cannot validate (it downloads discovery data and the OpenAPI schema
# from the server), and the script says so. Fails, never skips, if the validator cannot be
# installed. The validator lives in a venv: K8S_VALIDATE_VENV (default
# ~/.cache/alphasweep-k8s-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
MANIFEST=${1:-scripts/k8s-sweep.yaml}
VENV=${K8S_VALIDATE_VENV:-$HOME/.cache/alphasweep-k8s-venv}
fail() { echo "k8s-validate: FAILED: $*" >&2; exit 1; }

if [ ! -x "$VENV/bin/kubernetes-validate" ]; then
  echo "k8s-validate: installing kubernetes-validate into $VENV"
  { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet --disable-pip-version-check kubernetes-validate; } \
    > /tmp/k8s-validate-install.log 2>&1 \
    || { tail -n 20 /tmp/k8s-validate-install.log >&2; fail "could not install kubernetes-validate from PyPI (log above)"; }
fi
for v in 1.31.0 1.37.0; do
  "$VENV/bin/kubernetes-validate" --strict --kubernetes-version "$v" "$MANIFEST" || fail "$MANIFEST against Kubernetes $v"
done

"$VENV/bin/python" - "$MANIFEST" <<'EOF' || fail "the shard/merge contract (above)"
import re, sys, yaml
docs = {d["metadata"]["name"]: d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
shards, merge = docs["alphasweep-shards"], docs["alphasweep-merge"]
spec = shards["spec"]
assert spec["completionMode"] == "Indexed", "the shard Job must be Indexed"
n = spec["completions"]
pod = spec["template"]["spec"]
c = pod["containers"][0]
args = " ".join(c.get("command", []) + c.get("args", []))
m = re.search(r"--shard[= ]\$\(JOB_COMPLETION_INDEX\)/(\d+)", args)
assert m and int(m.group(1)) == n, f"--shard must be $(JOB_COMPLETION_INDEX)/{n} (completions): {args}"
assert " sweep " in f" {args} " and "--resume" in args, f"shards run `alphasweep sweep ... --resume`: {args}"
out = re.search(r"--out[= ](\S+)/shard-\$\(JOB_COMPLETION_INDEX\)", args)
assert out, f"--out must be OUT/shard-$(JOB_COMPLETION_INDEX): {args}"
assert pod["restartPolicy"] == "Never", "podFailurePolicy needs restartPolicy Never"
assert c["resources"]["limits"].get("nvidia.com/gpu") == 1, "one GPU per shard pod"
margs = " ".join(merge["spec"]["template"]["spec"]["containers"][0]["args"])
assert f"OUT={out.group(1)}" in margs and 'merge --out "$OUT/merged" "$OUT"/shard-*' in margs, \
    f"the merge Job must merge {out.group(1)}/shard-*: {margs}"
claims = {v["persistentVolumeClaim"]["claimName"] for j in (shards, merge) for v in j["spec"]["template"]["spec"]["volumes"]}
assert len(claims) == 1 and claims <= set(docs), f"both Jobs must mount the one PVC of the manifest: {claims}"
assert "ReadWriteMany" in docs[claims.pop()]["spec"]["accessModes"], "the PVC must be ReadWriteMany"
print(f"k8s-validate: contract ok: {n} indexed shards into {out.group(1)}/shard-I, merged by alphasweep-merge")
EOF

if command -v kubectl > /dev/null && kubectl version --request-timeout=5s > /dev/null 2>&1; then
  kubectl apply --dry-run=client -f "$MANIFEST" || fail "kubectl apply --dry-run=client"
else
  echo "k8s-validate: kubectl --dry-run=client not run: no Kubernetes API server reachable (kubectl needs one for discovery and the OpenAPI schema)"
fi
echo "k8s-validate: 3 passed, 0 failed"
