"""Driver of bench/tune-compare: runs xray (through its CLI's command runner) and Optuna's TPE.

Opt-in reference: TUNE_COMPARE_METHODS=optuna-gp runs Optuna's GPSampler (a Gaussian process with
log EI, as xray's Bayesian strategy is; it needs torch and scipy in .venv) with as many quasi-random
startup trials as xray's Bayesian strategy takes (max(3, parameters + 1)).
TUNE_COMPARE_FIRST_SEED=101 runs seeds 101.. instead of 1.. (a check that a figure is not one set of
seeds' luck).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tune_functions as tf  # noqa: E402

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUNCTIONS = os.path.join(HERE, "bench", "tune_functions.py")
CHECKPOINTS = (10, 20, 40)
# TUNE_COMPARE_METHODS=xray-bayesian (comma-separated) reruns some methods only, e.g. after changing one
METHODS = os.environ.get("TUNE_COMPARE_METHODS", "xray-bayesian,xray-random,optuna-tpe").split(",")

PROBLEMS = {
    "branin": {
        "params": ["x1=lin:-5:10", "x2=lin:0:15"],
        "command": "python3 " + FUNCTIONS + " branin {x1} {x2}",
        "true": lambda v, seed: tf.branin(float(v["x1"]), float(v["x2"])),
        "minimum": tf.BRANIN_MIN,
    },
    "hartmann6": {
        "params": [f"x{i}=lin:0:1" for i in range(1, 7)],
        "command": "python3 " + FUNCTIONS + " hartmann6 " + " ".join("{x%d}" % i for i in range(1, 7)),
        "true": lambda v, seed: tf.hartmann6(*[float(v[f"x{i}"]) for i in range(1, 7)]),
        "minimum": tf.HARTMANN6_MIN,
    },
    "noisy": {
        "params": ["learning-rate=log:1e-4:0.1", "batch-size=cat:32,64,128"],
        "command": "python3 " + FUNCTIONS + " noisy {learning-rate} {batch-size} SEED",
        "true": lambda v, seed: tf.noisy_true(float(v["learning-rate"]), v["batch-size"]),
        "minimum": tf.NOISY_MIN,
    },
}


def best_curve(observed, true_values, trials):
    """Noise-free value of the best observed trial so far, after each trial."""
    curve, best_obs, best_true = [], float("inf"), float("nan")
    for i in range(trials):
        if i < len(observed) and observed[i] is not None and observed[i] < best_obs:
            best_obs, best_true = observed[i], true_values[i]
        curve.append(best_true)
    return curve


def run_xray(problem, name, strategy, seed, trials, work):
    out = os.path.join(work, f"{name}-{strategy}-{seed}")
    command = problem["command"].replace("SEED", str(seed))
    args = ["java", "-cp", os.environ["TUNE_COMPARE_CLASSPATH"], "io.xray.cli.XrayCli", "tune",
            "--command", command, "--metric", "objective", "--minimize",
            "--metric-regex", "objective=([-0-9.eE+]+)", "--strategy", strategy, "--trials", str(trials),
            "--parallel", "1", "--seed", str(seed), "--out", out]
    for p in problem["params"]:
        args += ["--param", p]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"xray failed ({result.returncode}): {result.stderr[-2000:]}")
    with open(os.path.join(out, "tuning.json")) as f:
        state = json.load(f)
    observed, true_values = [], []
    for trial in sorted(state["trials"], key=lambda t: t["number"]):
        epochs = trial["epochs"]
        value = epochs[-1]["metrics"].get("objective") if trial["status"] != "FAILED" and epochs else None
        observed.append(value)
        true_values.append(problem["true"](trial["values"], seed))
    shutil.rmtree(out, ignore_errors=True)
    return best_curve(observed, true_values, trials)


def run_optuna(problem, name, method, seed, trials):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if method == "optuna-gp":
        startup = max(3, len(problem["params"]) + 1)
        sampler = optuna.samplers.GPSampler(seed=seed, n_startup_trials=startup)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    specs = [p.split("=", 1) for p in problem["params"]]
    values_seen = []

    def objective(trial):
        values = {}
        for key, spec in specs:
            kind, rest = spec.split(":", 1)
            if kind == "cat":
                values[key] = trial.suggest_categorical(key, rest.split(","))
            else:
                lo, hi = (float(v) for v in rest.split(":"))
                values[key] = str(trial.suggest_float(key, lo, hi, log=(kind == "log")))
        values_seen.append(values)
        if name == "noisy":
            return tf.noisy(float(values["learning-rate"]), values["batch-size"], str(seed), str(trial.number + 1))
        return problem["true"](values, seed)

    study.optimize(objective, n_trials=trials)
    observed = [t.value for t in study.trials]
    true_values = [problem["true"](v, seed) for v in values_seen]
    return best_curve(observed, true_values, trials)


def main():
    seeds, trials = int(sys.argv[1]), int(sys.argv[2])
    first = int(os.environ.get("TUNE_COMPARE_FIRST_SEED", "1"))
    checkpoints = [c for c in CHECKPOINTS if c <= trials]
    work = tempfile.mkdtemp(prefix="tune-compare-")
    print(f"{seeds} seeds from {first}, {trials} trials; median over seeds of the best (noise-free) value after N trials;"
          f" lower is better")
    print(f"{'function':<10} {'minimum':>9} {'method':<15} " + " ".join(f"{'after ' + str(c):>10}" for c in checkpoints)
          + f" {'seconds':>8}")
    for name, problem in PROBLEMS.items():
        for method in METHODS:
            start = time.time()
            curves = []
            for seed in range(first, first + seeds):
                if method.startswith("optuna-"):
                    curves.append(run_optuna(problem, name, method, seed, trials))
                else:
                    curves.append(run_xray(problem, name, method.split("-")[1], seed, trials, work))
            medians = [statistics.median(c[n - 1] for c in curves) for n in checkpoints]
            print(f"{name:<10} {problem['minimum']:>9.4f} {method:<15} "
                  + " ".join(f"{m:>10.4f}" for m in medians) + f" {time.time() - start:>8.0f}", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
