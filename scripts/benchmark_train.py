"""How close ``course_lib.train`` is to the hardware's floor: ``make benchmark``.

Prints, for the book's 4,000/1,000 MNIST split, 30 epochs of plain SGD (learning rate 0.1,
batch 100) on one thread, the best of three runs of

* a bare PyTorch loop (shuffle, step, and the same per-epoch history ``train`` keeps:
  loss and accuracy on the training and the test set),
* ``course_lib.train``,
* scikit-learn's ``MLPClassifier`` at the same epochs, batch, learning rate (no momentum, no L2),

for logistic regression (784-10) and a 784-30-10 sigmoid network; then the cost of training
k = 5 seeds side by side (:func:`course_lib.train_seeds`) against five separate runs, for the
book's MLP shapes; and the arithmetic floor (the matrix products alone). Every number is a
ratio measured in this one run, so a busy machine moves them less than absolute times.
"""
from __future__ import annotations

import os
import time
import warnings

os.environ.setdefault("COURSE_LIB_THREADS", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import course_lib as cl  # noqa: E402

EPOCHS, LR, BATCH, REPEATS = 30, 0.1, 100, 3
MODELS = (("784-10 (logistic regr.)", [784, 10], "relu"), ("784-30-10 sigmoid", [784, 30, 10], "sigmoid"))


def best_of(fn, repeats: int = REPEATS) -> tuple[float, float]:
    """(fastest wall time, the result of the last run)."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def bare_loop(data: cl.Split, sizes: list[int], activation: str) -> float:
    """The plainest loop that keeps the same history as ``train``; returns the final test accuracy."""
    model = cl.MLP(sizes, activation, seed=0)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    gen = torch.Generator().manual_seed(0)
    X, y, n = data.X_train, data.y_train, len(data.y_train)
    history = []
    for epoch in range(EPOCHS + 1):
        if epoch > 0:
            perm = torch.randperm(n, generator=gen)
            for i in range(0, n, BATCH):
                idx = perm[i:i + BATCH]
                loss = F.cross_entropy(model(X[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        with torch.no_grad():
            row = []
            for Xe, ye in ((X, y), (data.X_test, data.y_test)):
                out = model(Xe)
                row += [F.cross_entropy(out, ye).item(), (out.argmax(1) == ye).float().mean().item()]
            history.append(row)
    return history[-1][-1]


def course_train(data: cl.Split, sizes: list[int], activation: str, eval_every: int = 1) -> float:
    model = cl.MLP(sizes, activation, seed=0)
    history = cl.train(model, data, epochs=EPOCHS, lr=LR, batch_size=BATCH, eval_every=eval_every, progress=False)
    return float(history["test_acc"][-1])


def sklearn_mlp(data: cl.Split, hidden: int) -> float:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier((hidden,), activation="logistic", solver="sgd", learning_rate_init=LR, momentum=0.0,
                        alpha=0.0, batch_size=BATCH, max_iter=EPOCHS, tol=0.0, n_iter_no_change=EPOCHS + 1,
                        random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(data.X_train.numpy(), data.y_train.numpy())
    return float(clf.score(data.X_test.numpy(), data.y_test.numpy()))


def seeds_apart(data: cl.Split, sizes: list[int], seeds: list[int], epochs: int) -> None:
    for s in seeds:
        cl.train(cl.MLP(sizes, "relu", seed=s), data, epochs=epochs, lr=LR, batch_size=BATCH, eval_every=epochs,
                 progress=False)


def seeds_together(data: cl.Split, sizes: list[int], seeds: list[int], epochs: int) -> None:
    cl.train_seeds(sizes, data, seeds, activation="relu", epochs=epochs, lr=LR, batch_size=BATCH, eval_every=epochs,
                   progress=False)


def floor_seconds(sizes: list[int], steps: int) -> float:
    """Time of the matrix products alone: forward, and the weight gradients of backward."""
    Xb = torch.randn(BATCH, sizes[0])
    weights = [torch.randn(o, i) for i, o in zip(sizes[:-1], sizes[1:])]
    deltas = [torch.randn(BATCH, o) for o in sizes[1:]]
    ins = [torch.randn(BATCH, i) for i in sizes[:-1]]
    ins[0] = Xb

    def products():
        for W, a, d in zip(weights, ins, deltas):
            a @ W.T           # forward
            d.T @ a           # gradient of W
        for W, d in zip(weights[1:], deltas[1:]):
            d @ W             # gradient passed back to the layer below
    t, _ = best_of(lambda: [products() for _ in range(200)], repeats=5)
    return t / 200 * steps


def main() -> None:
    cl.setup(seed=0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); best of {REPEATS} runs\n")
    data = cl.load_mnist()
    steps = EPOCHS * -(-len(data.y_train) // BATCH)
    print(f"{len(data.y_train)}/{len(data.y_test)} MNIST digits, {EPOCHS} epochs, SGD lr {LR}, batch {BATCH} "
          f"({steps} steps)\n")
    print("Per-epoch history (loss and accuracy on both sets after every epoch), as the chapters keep it:")
    print(f"{'model':26s} {'bare loop':>16s} {'course_lib.train':>18s} {'train/bare':>10s} {'floor/train':>11s}")
    for name, sizes, act in MODELS:
        t_bare, a_bare = best_of(lambda: bare_loop(data, sizes, act))
        t_train, a_train = best_of(lambda: course_train(data, sizes, act))
        floor = floor_seconds(sizes, steps)
        print(f"{name:26s} {t_bare:5.2f} s {a_bare:6.1%}  {t_train:7.2f} s {a_train:6.1%}  {t_train / t_bare:10.2f} "
              f"{floor / t_train:11.2f}")
    print("\nEvaluated once at the end, as scikit-learn's MLPClassifier trains (no momentum, no L2):")
    print(f"{'model':26s} {'course_lib.train':>18s} {'scikit-learn':>16s} {'train/sklearn':>13s} {'floor/train':>11s}")
    for name, sizes, act in MODELS[1:]:
        t_train, a_train = best_of(lambda: course_train(data, sizes, act, eval_every=EPOCHS))
        t_sk, a_sk = best_of(lambda: sklearn_mlp(data, sizes[1]))
        floor = floor_seconds(sizes, steps)
        print(f"{name:26s} {t_train:7.2f} s {a_train:6.1%}   {t_sk:6.2f} s {a_sk:6.1%} {t_train / t_sk:13.2f} "
              f"{floor / t_train:11.2f}")
    print("\nk = 5 seeds side by side (train_seeds) against five separate runs (10 epochs each, evaluated "
          "before and after):")
    print(f"{'shape':28s} {'separate':>9s} {'together':>9s} {'ratio':>6s} {'floor/separate':>14s}")
    for name, sizes, d in (("784-30-10", [784, 30, 10], data),
                           ("100-100-60 (jump task)", [100, 100, 60], cl.load_jump_task()),
                           ("100-25-2-25-60 bottleneck", [100, 25, 2, 25, 60], cl.load_jump_task())):
        seeds = list(range(5))
        t_apart, _ = best_of(lambda: seeds_apart(d, sizes, seeds, 10), repeats=2)
        t_together, _ = best_of(lambda: seeds_together(d, sizes, seeds, 10), repeats=2)
        floor = 5 * floor_seconds(sizes, 10 * -(-len(d.y_train) // BATCH))
        print(f"{name:28s} {t_apart:7.2f} s {t_together:7.2f} s {t_together / t_apart:6.2f} {floor / t_apart:14.2f}")
    print("floor/separate: the matrix products' share of the separate runs, the least the ratio can be when")
    print("batching saves all other work (per-step overhead) and none of the arithmetic.")
    start = time.perf_counter()
    model = cl.MLP([784, 10], seed=0)                     # the introduction's live panel at its largest setting
    history = cl.train(model, data, epochs=20, lr=0.1, batch_size=100, eval_every=20, eval_on=("test",), progress=False)
    cl.weight_grid_figure(model.layers[0].weight.detach().numpy(), ncols=5)
    print(f"\nThe introduction's live panel (retrain logistic regression for 20 epochs and draw it): "
          f"{time.perf_counter() - start:.2f} s, test accuracy {history['test_acc'][-1]:.1%}")
    Xb, W = torch.rand(BATCH, 784), torch.rand(30, 784)
    t_torch, _ = best_of(lambda: [Xb @ W.T for _ in range(500)], repeats=5)
    Xn, Wn = Xb.numpy(), W.numpy()
    t_numpy, _ = best_of(lambda: [Xn @ Wn.T for _ in range(500)], repeats=5)
    print(f"\nOne {BATCH}x784 by 784x30 product (the first layer's forward pass): PyTorch (MKL) "
          f"{t_torch / 500 * 1e6:.0f} us, NumPy (OpenBLAS, what scikit-learn uses) {t_numpy / 500 * 1e6:.0f} us "
          f"({t_torch / t_numpy:.1f}x)")
    print("\nfloor/train: the share of train's time that the matrix products alone need (1.0 = at the floor);")
    print("the rest is PyTorch's per-operation overhead (about 5-10 us for each of ~40 operations a step),")
    print("the evaluation passes and the activation and loss functions.")


if __name__ == "__main__":
    main()
