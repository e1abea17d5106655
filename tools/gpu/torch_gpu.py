"""PyTorch side of the GPU run (tools/gpu/README.md): LeNet-5 (batch 64, SGD) and ResNet-20 (batch 128,
SGD with momentum) training steps on the GPU, the models of bench/torch_models.py (carried next to this
file), timed as bench/native.ts times them: median ms per step, the loss read back (loss.item()
synchronises with the GPU). Falls back to the CPU when CUDA is not available (the local test of the pack)
and says so. Prints one JSON object on stdout.
Usage: python3 torch_gpu.py [--quick] [--lenet-batch 64] [--resnet-batch 128]
"""
import json
import sys

import torch

import torch_models as tm

QUICK = "--quick" in sys.argv
LENET_BATCH = int(sys.argv[sys.argv.index("--lenet-batch") + 1]) if "--lenet-batch" in sys.argv else 64
RESNET_BATCH = int(sys.argv[sys.argv.index("--resnet-batch") + 1]) if "--resnet-batch" in sys.argv else 128
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
torch.manual_seed(1)


def step_ms(model, x, y, lr, momentum, warmup, reps):
    model = model.to(device)
    model.train()
    return tm.median_ms(tm.train_step_fn(model, x.to(device), y.to(device), lr, momentum), warmup, reps)


rows = {
    "lenet5": step_ms(tm.LeNet5(), torch.randn(LENET_BATCH, 1, 32, 32), torch.arange(LENET_BATCH) % 10, 0.05, 0.0, 2 if QUICK else 5, 3 if QUICK else 40),
    "resnet20": step_ms(tm.ResNet20(), torch.randn(RESNET_BATCH, 3, 32, 32), torch.arange(RESNET_BATCH) % 10, 0.1, 0.9, 1 if QUICK else 2, 2 if QUICK else 10),
}
print(json.dumps({
    "batch": {"lenet5": LENET_BATCH, "resnet20": RESNET_BATCH},
    "torch": torch.__version__,
    "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu (no CUDA)",
    "cuda": torch.version.cuda,
    "rows": rows,
}))
