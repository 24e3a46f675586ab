#!/usr/bin/env python3
"""Which threshold rule, applied to validation scores, holds up on test images?

usage: bench/threshold_rules.py MANIFEST SUMMARY LOOK_MANIFEST [--all]

MANIFEST is the `xray split` manifest the model was trained with (its val rows are used), SUMMARY the
summary.jsonl of `xray batch --model M --input VAL_AND_TEST_ROWS --output OUT`. Each rule chooses a
threshold on the validation scores only; the script prints that threshold and the figures it gives
on the calibration rows of LOOK_MANIFEST (e.g. the 101 test images of
`xray split --calibration-from-test 100`): the test images looked at to choose a rule. With --all it
also prints the other test images' figures, which should be looked at only once the choice is made.
Plain Python, no packages.
"""
import json
import sys


def rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def figures(scores, threshold):
    tp = sum(1 for p, y in scores if y and p >= threshold)
    fn = sum(1 for p, y in scores if y and p < threshold)
    tn = sum(1 for p, y in scores if not y and p < threshold)
    fp = sum(1 for p, y in scores if not y and p >= threshold)
    n = tp + fn + tn + fp
    sens = tp / (tp + fn) if tp + fn else float("nan")
    spec = tn / (tn + fp) if tn + fp else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"accuracy": (tp + tn) / n, "sensitivity": sens, "specificity": spec, "f1": f1}


def choose(rule, val):
    candidates = sorted({p for p, _ in val})
    if rule == "max-f1":
        return max(candidates, key=lambda t: (figures(val, t)["f1"], t))
    if rule == "youden":
        return max(candidates, key=lambda t: (figures(val, t)["sensitivity"] + figures(val, t)["specificity"], t))
    if rule.startswith("sensitivity>="):
        target = float(rule.split(">=")[1])
        ok = [t for t in candidates if figures(val, t)["sensitivity"] >= target]
        return max(ok)
    raise ValueError(rule)


def main():
    manifest, summary = sys.argv[1], sys.argv[2]
    split_of = {}
    for r in rows(manifest):
        parts = r["path"].split("/")
        split_of["/".join(parts[-3:])] = r["split"]
    look = {"/".join(r["path"].split("/")[-3:]): r["split"] for r in rows(sys.argv[3])}
    show_all = "--all" in sys.argv[4:]
    val, looked, rest = [], [], []
    for r in rows(summary):
        key = r["input"]
        score = (r["probability"], r["true_label"] == "PNEUMONIA")
        split = split_of.get(key)
        if split == "val":
            val.append(score)
        elif split == "test" and look.get(key) == "calibration":
            looked.append(score)
        elif split == "test":
            rest.append(score)
    print(f"validation {len(val)}, test images looked at {len(looked)}" + (f", the other test images {len(rest)}" if show_all else ""))
    for rule in ["max-f1", "youden", "sensitivity>=0.95", "sensitivity>=0.97", "sensitivity>=0.98", "sensitivity>=0.99"]:
        t = choose(rule, val)
        line = f"{rule:18s} threshold {t:.4f}"
        for name, scores in [("looked-at test", looked), ("other test", rest if show_all else [])]:
            if scores:
                m = figures(scores, t)
                line += (f" | {name}: acc {m['accuracy']:.4f} sens {m['sensitivity']:.4f}"
                         f" spec {m['specificity']:.4f}")
        print(line)


if __name__ == "__main__":
    main()
