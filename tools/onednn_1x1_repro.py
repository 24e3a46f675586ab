#!/usr/bin/env python3
"""Reproduces, in plain PyTorch, the oneDNN crash that narrow from-scratch backbones hit in xray.

oneDNN's weight gradient of a 1x1 convolution with stride 2 on a channels-last input with fewer
than 16 input channels (the AVX-512 vector block; 8 on AVX2) copies the strided input into a
per-thread workspace at offsets counted in 16-channel blocks while the workspace is sized for the
real channel count, and writes past it: the process dies with SIGSEGV or a glibc abort ("double
free or corruption", "corrupted size vs. prev_size"), with no Python or Java exception. Seen with
the libtorch 2.7.1 DJL loads (oneDNN 3.7.1) and with pip's torch 2.13.0 (oneDNN 3.12.0).

xray's ResNet18 has such a convolution in each downsampling shortcut whose input stage is narrower
than 16 channels; it now subsamples first and convolves with stride 1 (SubsamplingConv2d), which
this script checks too (--workaround).

Maintainer tool; tests and CI do not need Python. Needs torch (pip install torch numpy).

usage:
  python3 tools/onednn_1x1_repro.py                  one case that crashes: ic 8, oc 16, 56x56, batch 8
  python3 tools/onednn_1x1_repro.py case IC OC HW MB [nhwc|nchw] [--workaround] [--threads N]
  python3 tools/onednn_1x1_repro.py map [--workaround] [--threads N]
                                                     sweeps channels, batch and image sizes, each case
                                                     in a child process, and prints the failing ones
"""
import os
import signal
import sys
import time

import torch


def case(ic, oc, hw, mb, layout="nhwc", workaround=False, iterations=3):
    """Forward and backward of the strided 1x1 convolution; returns the worst relative error
    against a float64 reference (the process may die before it returns)."""
    torch.manual_seed(ic * 1000 + mb)
    fmt = torch.channels_last if layout == "nhwc" else torch.contiguous_format
    weight = torch.randn(oc, ic, 1, 1)
    worst = 0.0
    for _ in range(iterations):
        x = torch.randn(mb, ic, hw, hw)
        grad = torch.randn(mb, oc, (hw + 1) // 2, (hw + 1) // 2)
        xx = x.clone().to(memory_format=fmt).requires_grad_()
        ww = weight.clone().to(memory_format=fmt).requires_grad_()
        if workaround:
            y = torch.nn.functional.conv2d(xx[:, :, ::2, ::2], ww, stride=1)
        else:
            y = torch.nn.functional.conv2d(xx, ww, stride=2)
        (y * grad.to(memory_format=fmt)).sum().backward()
        x64 = x.double().requires_grad_()
        w64 = weight.double().requires_grad_()
        y64 = torch.nn.functional.conv2d(x64, w64, stride=2)
        (y64 * grad.double()).sum().backward()
        for got, want in ((y, y64), (ww.grad, w64.grad), (xx.grad, x64.grad)):
            error = (got.double() - want).abs().max().item() / (want.abs().max().item() + 1e-12)
            worst = max(worst, error)
    return worst


def in_child(args, kwargs, threads, timeout=60):
    """Runs case() in a forked child: 'ok', 'wrong' (results off), 'SIGSEGV'/'SIGABRT'... or 'hang'."""
    pid = os.fork()
    if pid == 0:
        try:
            if threads:
                torch.set_num_threads(threads)
            os._exit(0 if case(*args, **kwargs) < 1e-4 else 3)
        except BaseException as e:  # noqa: BLE001 - report anything as a failure of the case
            sys.stderr.write(repr(e) + "\n")
            os._exit(4)
    start = time.time()
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() - start > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "hang"
        time.sleep(0.005)
    if os.WIFSIGNALED(status):
        return signal.Signals(os.WTERMSIG(status)).name
    return {0: "ok", 3: "wrong", 4: "error"}.get(os.WEXITSTATUS(status), "exit %d" % os.WEXITSTATUS(status))


def sweep(title, cases, workaround, threads):
    failed = []
    for args in cases:
        result = in_child(args, {"workaround": workaround}, threads)
        if result != "ok":
            failed.append((args, result))
    print("%s: %d of %d cases failed" % (title, len(failed), len(cases)), flush=True)
    for (ic, oc, hw, mb, layout), result in failed:
        print("    ic %d oc %d %dx%d batch %d %s: %s" % (ic, oc, hw, hw, mb, layout, result), flush=True)
    return failed


def main(argv):
    workaround = "--workaround" in argv
    threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else None
    argv = [a for i, a in enumerate(argv) if a != "--workaround" and a != "--threads"
            and (i == 0 or argv[i - 1] != "--threads")]
    print("torch %s, %s, threads %s, %s" % (torch.__version__,
          torch.backends.mkldnn.is_available() and "oneDNN available", threads or torch.get_num_threads(),
          "workaround (subsample, stride 1)" if workaround else "plain strided convolution"), flush=True)
    if threads:
        torch.set_num_threads(threads)
    if len(argv) <= 1 or argv[1] == "case":
        ic, oc, hw, mb = (int(a) for a in argv[2:6]) if len(argv) > 2 else (8, 16, 56, 8)
        layout = argv[6] if len(argv) > 6 else "nhwc"
        print("1x1 convolution, stride 2: ic %d oc %d %dx%d batch %d %s; backward..." % (ic, oc, hw, hw, mb, layout),
              flush=True)
        error = case(ic, oc, hw, mb, layout, workaround)
        print("survived; worst relative error against float64: %.2e" % error)
        return 0 if error < 1e-4 else 1
    if argv[1] == "map":
        # xray's shortcuts: layer2 sees the stem's output (image / 4), layer3 image / 8, layer4 image / 16
        sweep("input channels 1..40, oc 2 x ic, 32x32 (layer2 at 128 px), batches 27 31 32 45",
              [(ic, 2 * ic, 32, mb, layout) for layout in ("nhwc", "nchw")
               for ic in list(range(1, 34)) + [40] for mb in (27, 31, 32, 45)], workaround, threads)
        for ic, oc, hw in ((8, 16, 32), (8, 16, 56), (4, 8, 32), (4, 8, 8), (16, 32, 56), (24, 48, 56)):
            sweep("ic %d oc %d %dx%d, batches 1..64" % (ic, oc, hw, hw),
                  [(ic, oc, hw, mb, "nhwc") for mb in range(1, 65)], workaround, threads)
        sweep("ic 4/8/12, oc 2 x ic, sizes 2..64, batches 8 27 32",
              [(ic, 2 * ic, hw, mb, "nhwc") for ic in (4, 8, 12) for hw in range(2, 65, 2) for mb in (8, 27, 32)],
              workaround, threads)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
