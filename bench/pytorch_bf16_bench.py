"""PyTorch's own bfloat16 ResNet18 inference on this CPU, beside ../shared/tools/pt_resnet18_bench.py
(the same network, shapes, threads and timing: median of STEPS after warm-up).
Two ways, each channels-last, in eval mode under torch.inference_mode():
  autocast: float32 weights, torch.autocast("cpu", dtype=torch.bfloat16)
  cast:     the whole model and input cast to bfloat16
The last line, "pytorch ... img/s", is the faster of the two, in the reference's format, so that
bench/compare can take this script as PYTORCH_REFERENCE.
With PT_PRECISION=fp32 it times the reference's plain fp32 inference instead, the same way.
Each way also prints the process's CPU time per image over the timed steps.
Usage: python pytorch_bf16_bench.py SIZE BATCH infer STEPS"""
import os, sys, time, torch
import torch.nn as nn

class Block(nn.Module):
    def __init__(s, cin, cout, stride):
        super().__init__()
        s.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); s.b1 = nn.BatchNorm2d(cout)
        s.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); s.b2 = nn.BatchNorm2d(cout)
        s.down = None
        if stride != 1 or cin != cout:
            s.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
    def forward(s, x):
        y = torch.relu(s.b1(s.c1(x))); y = s.b2(s.c2(y))
        return torch.relu(y + (x if s.down is None else s.down(x)))

def resnet18(out=1):
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]; cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, out)]
    return nn.Sequential(*layers)

size, bs, mode, steps = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if mode != "infer":
    sys.exit("only infer is measured in bfloat16")
torch.set_num_threads(2)
torch.manual_seed(1)
x = torch.randn(bs, 3, size, size).contiguous(memory_format=torch.channels_last)

cpu = {}
def timed(run, name):
    times = []
    for i in range(steps + 3):
        if i == 3:
            c0 = time.process_time()
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    # CPU time of the whole process (every thread) per image over the timed steps: less sensitive
    # than wall time to other processes taking the cores.
    cpu[name] = (time.process_time() - c0) / (steps * bs)
    return sorted(times[3:])[len(times[3:]) // 2]

if os.environ.get("PT_PRECISION", "bf16") == "fp32":
    # The reference's fp32 inference (../shared/tools/pt_resnet18_bench.py), timed the same way as below.
    m = resnet18().eval()
    xf = torch.randn(bs, 3, size, size)
    def plain():
        with torch.inference_mode():
            m(xf)
    t = timed(plain, "fp32")
    print(f"process CPU time: {cpu['fp32']*1000:.2f} ms per image (fp32)")
    print(f"pytorch {torch.__version__} fp32 {mode} size={size} batch={bs}: median {t*1000:.0f} ms/step, {bs/t:.1f} img/s")
    sys.exit(0)

m = resnet18().eval().to(memory_format=torch.channels_last)
def autocast():
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        m(x)
t_auto = timed(autocast, "autocast")
mb = resnet18().eval().to(memory_format=torch.channels_last).to(torch.bfloat16)
xb = x.to(torch.bfloat16)
def cast():
    with torch.inference_mode():
        mb(xb)
t_cast = timed(cast, "cast")
print(f"autocast: median {t_auto*1000:.0f} ms/step, {bs/t_auto:.1f} img/s, process CPU {cpu['autocast']*1000:.2f} ms per image")
print(f"cast:     median {t_cast*1000:.0f} ms/step, {bs/t_cast:.1f} img/s, process CPU {cpu['cast']*1000:.2f} ms per image")
best, t = ("autocast", t_auto) if t_auto <= t_cast else ("cast", t_cast)
print(f"process CPU time: {cpu[best]*1000:.2f} ms per image (bf16-{best})")
print(f"pytorch {torch.__version__} bf16-{best} {mode} size={size} batch={bs}: median {t*1000:.0f} ms/step, {bs/t:.1f} img/s")
