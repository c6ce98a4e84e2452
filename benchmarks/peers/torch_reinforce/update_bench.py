"""One REINFORCE update alone, timed per batch size B: what `rl bench update`
compares the TypeScript framework's update with.

The update is the one reinforce.py runs each iteration, on a batch of B
samples of CartPole-sized observations (4 floats) with precomputed returns:
forward of the 4-64-64-2 tanh MLP, Categorical log_prob of the actions,
advantage = return - batch mean, normalised to zero mean and unit std,
loss = -mean(log_prob * advantage), zero_grad, backward, one Adam step.

For each B: --warmup updates, then --repeats timed runs of enough updates to
last >= --seconds; the median run (ms per update) is reported, with the best
run. Prints one JSON object (also written to --out), with the torch version,
threads and the BLAS library this process mapped (`blas`).

Example (OpenBLAS at its best on this machine: its core-type pins unset):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 update_bench.py --threads 2
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch
from torch.distributions import Categorical

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reinforce import blas_in_use, mlp  # noqa: E402  (also disables dist validation)


def reinforce_update(policy, opt, obs, act, ret):
    """One REINFORCE update on a batch (obs, actions, returns), as reinforce.py
    runs it with the batch-mean baseline and advantage normalisation."""
    logp = Categorical(logits=policy(obs)).log_prob(act)
    adv = ret - ret.mean()
    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
    loss = -(logp * adv).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batches", default="1024,4096,16384")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seconds", type=float, default=0.3,
                   help="minimum length of one timed run")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="", help="also write the JSON here")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    result = {
        "what": "one REINFORCE update: forward, log_prob, normalised advantage, backward, Adam step",
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS") if k in os.environ},
        "update_ms": [],
    }
    for bsz in [int(s) for s in args.batches.split(",") if s]:
        policy = mlp(4, 2, 64, 0.01)
        opt = torch.optim.Adam(policy.parameters(), lr=1e-3)
        obs = torch.randn(bsz, 4) * 0.05
        act = torch.randint(0, 2, (bsz,))
        ret = torch.rand(bsz) * 100

        def update():
            reinforce_update(policy, opt, obs, act, ret)

        for _ in range(args.warmup):
            update()
        t = time.perf_counter()
        update()
        n = max(3, int(args.seconds / max(time.perf_counter() - t, 1e-6)))
        runs = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            for _ in range(n):
                update()
            runs.append(1e3 * (time.perf_counter() - t) / n)
        row = {"batch": bsz, "ms": round(statistics.median(runs), 4),
               "ms_best": round(min(runs), 4), "updates_per_run": n,
               "runs_ms": [round(r, 4) for r in runs]}
        result["update_ms"].append(row)
        print(json.dumps({"type": "update", **row}), file=sys.stderr, flush=True)
    result["blas"] = blas_in_use()
    emit_result(result, args.out)


def emit_result(result, out):
    """Prints a benchmark's result as one JSON document on stdout and, with
    --out, writes it to that file too (rollout_bench.py uses it as well)."""
    s = json.dumps(result, indent=1)
    print(s)
    if out:
        with open(out, "w") as f:
            f.write(s + "\n")


if __name__ == "__main__":
    main()
