"""Check that course_lib trains on a CUDA GPU as it does on the CPU (what a Colab GPU runtime would do).

Usage: python scripts/check_cuda.py [DEVICE]     (default cuda: needs a CUDA GPU; the book itself never does.
       DEVICE=cpu runs the same comparisons CPU against CPU, to check the script itself.)

Trains the book's models on the GPU and on the CPU from the same seeds and batch orders and
compares them: logistic regression and a 784-30-10 network on the MNIST sample, five seeds side
by side (train_seeds), per-member batch orders, a Recorder, a CNN ensemble, Adam. Prints one line
per check and exits non-zero on the first difference larger than float rounding explains.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import torch

import course_lib as cl
from course_lib.chapters import conv


def compare(name: str, cpu: float, gpu: float, tol: float) -> bool:
    ok = abs(cpu - gpu) <= tol
    print(f"{'ok  ' if ok else 'FAIL'} {name}: cpu {cpu:.4f}, {DEVICE} {gpu:.4f} (tolerance {tol})", flush=True)
    return ok


DEVICE = "cuda"


def main(device: str = "cuda") -> int:
    global DEVICE
    DEVICE = device
    if device == "cuda" and not torch.cuda.is_available():
        print("no CUDA GPU: nothing to check")
        return 1
    cl.setup(seed=0)
    cuda = cl.get_device(device)
    name = torch.cuda.get_device_name(0) if cuda.type == "cuda" else "the CPU"
    print(f"torch {torch.__version__} on {name}; course_lib {cl.__version__}")
    data = cl.load_mnist()
    gpu_data = data.to(cuda)
    results = []

    # one model: weights from the same seed, the same batches; accuracy within rounding
    for sizes, act in (([784, 10], "relu"), ([784, 30, 10], "sigmoid")):
        accs = {}
        for dev, d in (("cpu", data), (cuda.type, gpu_data)):
            model = cl.MLP(sizes, act, seed=0).to(dev)
            rec = cl.Recorder(model, probe=d.X_test[:50], at_epochs=[0, 5])
            start = time.perf_counter()
            history = cl.train(model, d, epochs=5, lr=0.1, batch_size=100, callback=rec, progress=False)
            accs[dev] = float(history["test_acc"][-1])
            assert rec.recording.weights["layers.0.weight"].shape[0] == 2      # copied to the CPU
            print(f"     {'-'.join(map(str, sizes))} on {dev}: {time.perf_counter() - start:.2f} s", flush=True)
        results.append(compare(f"{'-'.join(map(str, sizes))} {act}, 5 epochs, test accuracy", accs["cpu"], accs[cuda.type], 0.01))

    # five seeds side by side, shared and per-member batch orders, Adam
    for order in (0, [0, 1, 2, 3, 4]):
        cpu_runs = cl.train_seeds([784, 30, 10], data, range(5), epochs=3, lr=1e-3, optimizer="adam",
                                  batch_seed=order, progress=False)
        gpu_runs = cl.train_seeds([784, 30, 10], gpu_data, range(5), epochs=3, lr=1e-3, optimizer="adam",
                                  batch_seed=order, progress=False)
        for a, b in zip(cpu_runs, gpu_runs):
            results.append(compare(f"train_seeds seed {a.seed}, batch_seed={order}, Adam", float(a.history["test_acc"][-1]),
                                   float(b.history["test_acc"][-1]), 0.01))
            assert next(b.model.parameters()).device.type == "cpu"            # members come back on the CPU

    # a CNN ensemble on the jump task
    jump = cl.load_jump_task()
    accs = {}
    for dev, d in (("cpu", jump), (cuda.type, jump.to(cuda))):
        ens = conv.CNNEnsemble([7], seeds=[0, 1]).to(dev)
        h = cl.train(ens, d, epochs=2, lr=0.01, batch_size=100, keep_best=True, progress=False)
        accs[dev] = float(np.mean(h["test_acc"][-1]))
    results.append(compare("CNN ensemble (kernel 7, 2 seeds), keep_best", accs["cpu"], accs[cuda.type], 0.01))

    print(f"\n{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
