#!/usr/bin/env python3
"""Copies a small, patient-complete sample of the shared chest X-ray data into sample-data/.

Maintainer tool, run once; tests and CI use the copied files and never need Python or ../shared.
Whole patients are taken (every image of a chosen patient), per split and class, with a fixed
seed, so the sample keeps the Kaggle layout and its patient structure.

usage: python3 tools/make_sample_data.py [SOURCE] [TARGET]
"""
import os
import random
import re
import shutil
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/chest_xray"
TARGET = sys.argv[2] if len(sys.argv) > 2 else "sample-data/chest_xray"
# images wanted per (split, class); whole patients are added until the count is reached
WANTED = {("train", "NORMAL"): 140, ("train", "PNEUMONIA"): 140,
          ("test", "NORMAL"): 40, ("test", "PNEUMONIA"): 40}
PATIENT = re.compile(r"^(person\d+)_(?:bacteria|virus)_\d+|^((?:NORMAL2-)?IM-\d+)-\d+")


def patient_of(name):
    m = PATIENT.match(name)
    return (m.group(1) or m.group(2)) if m else name


def main():
    rng = random.Random(20261124)
    for (split, label), wanted in sorted(WANTED.items()):
        folder = os.path.join(SOURCE, split, label)
        by_patient = {}
        for name in sorted(os.listdir(folder)):
            by_patient.setdefault(patient_of(name), []).append(name)
        patients = sorted(by_patient)
        rng.shuffle(patients)
        chosen = []
        for p in patients:
            if len(chosen) >= wanted:
                break
            if len(chosen) + len(by_patient[p]) <= wanted + 2:
                chosen.extend(by_patient[p])
        out = os.path.join(TARGET, split, label)
        os.makedirs(out, exist_ok=True)
        for name in chosen:
            shutil.copyfile(os.path.join(folder, name), os.path.join(out, name))
        print(f"{split}/{label}: {len(chosen)} images")


if __name__ == "__main__":
    main()
