#!/usr/bin/env python3
"""Makes the small TorchScript ResNet18 feature extractor that xray's tests fine-tune.

The network has exactly torchvision's resnet18 layout (7x7/2 stem + 3x3/2 max-pool, four stages
of two BasicBlocks, global average pool) with the final fully connected layer replaced by an
identity, so it outputs features. Only the widths are reduced (4/8/16/32 instead of
64/128/256/512) so that the committed file stays well under 1 MB. The parameter and buffer names
(conv1.weight, bn1.running_mean, layer1.0.conv1.weight, ..., layer4.1.bn2.running_var) are
torchvision's, so the same Java code freezes "the last N stages" of this file and of a real
resnet18.

Usage (CPU wheel from pip's local index is enough):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch
    /tmp/venv/bin/python make_torchscript_resnet18_fixture.py \
        ../resources/io/xray/train/resnet18-tiny-features.pt

To fine-tune a REAL ImageNet resnet18 from a TorchScript file instead (for example on a machine
that cannot reach DJL's model zoo), export it the same way and pass the file to
Backbone.torchScript(path, 512):

    import torch, torchvision
    model = torchvision.models.resnet18(weights=torchvision.models.ResNet18_Weights.IMAGENET1K_V1)
    model.fc = torch.nn.Identity()          # outputs the 512 pooled features
    model.eval()
    torch.jit.trace(model, torch.zeros(1, 3, 224, 224)).save("resnet18-imagenet-features.pt")

Save with a PyTorch no newer than the one the Java engine runs, when you can; files written by
newer releases loaded in the tests of this project (see ResNetFineTunerTorchScriptTest).
"""
import sys

import torch
from torch import nn


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18Features(nn.Module):
    """torchvision.models.resnet18 with configurable widths and fc = Identity."""

    def __init__(self, widths=(64, 128, 256, 512)):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers = []
        in_planes = widths[0]
        for i, planes in enumerate(widths):
            stride = 1 if i == 0 else 2
            layers.append(nn.Sequential(BasicBlock(in_planes, planes, stride), BasicBlock(planes, planes)))
            in_planes = planes
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Identity()
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "resnet18-tiny-features.pt"
    torch.manual_seed(7)
    model = ResNet18Features(widths=(4, 8, 16, 32))
    # Give the BatchNorm layers non-trivial running statistics, as a pretrained network has.
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(8, 3, 64, 64))
    model.eval()
    scripted = torch.jit.script(model)
    scripted.save(out)
    features = scripted(torch.zeros(2, 3, 64, 64))
    print(f"saved {out}: features {tuple(features.shape)}, torch {torch.__version__}")


if __name__ == "__main__":
    main()
