"""Reference values for PyTorchReferenceTest (PyTorch CPU 1.13): run with /usr/bin/python3 and paste the output.

Models are built exactly as the engine builds them (kuangliu/pytorch-cifar BasicBlock/ResNet with configurable
widths; the small CNN), parameters are set from closed-form formulas over the flat state_dict order (without
num_batches_tracked), inputs likewise, so the Java test can rebuild the same values.
"""
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class ResNet(nn.Module):
    def __init__(self, in_ch, widths, blocks, classes):
        super().__init__()
        self.in_planes = widths[0]
        self.conv1 = nn.Conv2d(in_ch, widths[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        for i, (w, b) in enumerate(zip(widths, blocks)):
            setattr(self, 'layer%d' % (i + 1), self._make_layer(w, b, 1 if i == 0 else 2))
        self.nstages = len(widths)
        self.linear = nn.Linear(widths[-1], classes)

    def _make_layer(self, planes, n, stride):
        layers = []
        for s in [stride] + [1] * (n - 1):
            layers.append(BasicBlock(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        for i in range(self.nstages):
            out = getattr(self, 'layer%d' % (i + 1))(out)
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.linear(out)


class SmallCnn(nn.Module):
    def __init__(self, c1, c2, hidden, flat, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c1, 5)
        self.conv2 = nn.Conv2d(c1, c2, 5)
        self.fc1 = nn.Linear(flat, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def fill(model):
    """Same formulas as PyTorchReferenceTest.fill: by flat index i over the state_dict order."""
    i = 0
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith('num_batches_tracked'):
                continue
            flat = t.view(-1)
            for j in range(flat.numel()):
                if name.endswith('running_mean'):
                    v = 0.1 * math.sin(0.5 * i)
                elif name.endswith('running_var'):
                    v = 1.0 + 0.5 * math.sin(0.3 * i) ** 2
                else:
                    v = 0.3 * math.sin(0.37 * i + 0.1)
                flat[j] = float(np.float32(v))
                i += 1


def inputs(n):
    return torch.tensor([np.float32(math.sin(0.11 * i) + 0.5 * math.cos(0.07 * i)) for i in range(n)])


def show(label, t):
    print(label, ', '.join('%.9gf' % v for v in t.detach().reshape(-1).tolist()))


# 1. tiny ResNet: train-mode forward (batch statistics), running statistics after it, eval-mode forward after it.
torch.manual_seed(0)
net = ResNet(3, [2, 4], [1, 1], 3)
fill(net)
x = inputs(2 * 3 * 6 * 6).view(2, 3, 6, 6)
net.train()
show('resnet train logits', net(x))
sd = net.state_dict()
show('resnet bn1.running_mean', sd['bn1.running_mean'])
show('resnet layer2.0.shortcut.1.running_var', sd['layer2.0.shortcut.1.running_var'])
net.eval()
show('resnet eval logits', net(x))

# 2. tiny small CNN: eval logits, loss and gradients, then two SGD steps (lr 0.1, momentum 0.9, wd 5e-4).
cnn = SmallCnn(2, 3, 4, 3, 3)
fill(cnn)
x = inputs(2 * 1 * 16 * 16).view(2, 1, 16, 16)
y = torch.tensor([2, 0])
show('cnn logits', cnn(x))
loss = F.cross_entropy(cnn(x), y)
print('cnn loss %.9g' % loss.item())
loss.backward()
for name, p in cnn.named_parameters():
    show('cnn grad ' + name + ' first3', p.grad.view(-1)[:3])
opt = torch.optim.SGD(cnn.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
opt.step()
opt.zero_grad()
F.cross_entropy(cnn(x), y).backward()
opt.step()
for name, p in cnn.named_parameters():
    show('cnn after 2 sgd steps ' + name + ' first3', p.view(-1)[:3])
