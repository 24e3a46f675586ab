"""Test functions for bench/tune-compare, evaluated one point per process as a training job would be.

usage: python3 bench/tune_functions.py FUNCTION VALUE...   (prints 'objective=VALUE')
FUNCTION: branin X1 X2 | hartmann6 X1..X6 | noisy LEARNING_RATE BATCH_SIZE SEED
The noisy function's noise is drawn from (SEED, the point, XRAY_TRIAL), so a rerun of a trial
gives the same value; its noise-free value is `noisy_true`.
"""
import hashlib
import math
import os
import random
import sys

BRANIN_MIN = 0.397887
HARTMANN6_MIN = -3.32237
NOISY_MIN = 0.1


def branin(x1, x2):
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
      [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
_ALPHA = [1.0, 1.2, 3.0, 3.2]


def hartmann6(*x):
    total = 0.0
    for i in range(4):
        inner = sum(_A[i][j] * (x[j] - _P[i][j] * 1e-4) ** 2 for j in range(6))
        total -= _ALPHA[i] * math.exp(-inner)
    return total


# a validation loss of log learning rate x batch size: each batch size has its own best rate
_CENTRE = {"32": -3.0, "64": -2.7, "128": -2.4}
_OFFSET = {"32": 0.02, "64": 0.0, "128": 0.01}


def noisy_true(lr, batch):
    return NOISY_MIN + 0.05 * (math.log10(lr) - _CENTRE[batch]) ** 2 + _OFFSET[batch]


def noisy(lr, batch, seed, trial):
    digest = hashlib.sha256(f"{seed}:{lr}:{batch}:{trial}".encode()).digest()
    return noisy_true(lr, batch) + random.Random(digest).gauss(0, 0.01)


def main(argv):
    name = argv[0]
    if name == "branin":
        value = branin(float(argv[1]), float(argv[2]))
    elif name == "hartmann6":
        value = hartmann6(*[float(v) for v in argv[1:7]])
    elif name == "noisy":
        value = noisy(float(argv[1]), argv[2], argv[3], os.environ.get("XRAY_TRIAL", "0"))
    else:
        raise SystemExit(f"unknown function {name}")
    print(f"objective={value!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
