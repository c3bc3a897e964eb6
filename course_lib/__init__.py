"""course_lib: the helper package of *How Neural Networks Learn*.

The modules follow the flow of the book:
``repro`` (seeds, threads, device) -> ``data`` -> ``models`` -> ``train`` -> ``record``
-> ``plots`` -> ``interactive`` (live widgets and their static twins); ``results`` finds or fetches
the committed results files of ``book/results/`` (``load_results``).
"""
import os as _os

# OpenMP threads that spin while they wait make PyTorch many times slower on a shared or busy CPU
# (measured here under load: 56 s instead of 6.5 s for the same training). Passive waiting only
# changes how idle threads wait, not the numbers. It must be set before torch is imported.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
from .data import Split, load_full_mnist, load_jump_task, load_mnist, make_jump_signals, make_random_data, shuffle_labels
from .interactive import glue, glue_all, live, register_renderer, static_twin, weight_grid_figure
from .models import MLP, MLPEnsemble
from .plots import use_book_style
from .record import Recorder, Recording, activations
from .repro import available_cpus, get_device, set_seed, set_threads, setup
from . import evidence, results
from .evidence import chapter_seed, claim
from .results import load as load_results
from .selfcheck import self_check
from .train import History, Run, StopTraining, evaluate, predict, train, train_seeds

try:  # the one version number lives in pyproject.toml; installed (also editable) copies carry it
    from importlib.metadata import version as _version

    __version__ = _version("course_lib")
except Exception:  # imported from a bare source tree
    __version__ = "unknown"

register_renderer()
use_book_style()

__all__ = [
    "Split", "load_mnist", "load_full_mnist", "load_jump_task", "make_jump_signals", "make_random_data",
    "shuffle_labels", "MLP", "MLPEnsemble", "train", "train_seeds", "Run", "StopTraining", "evaluate", "predict",
    "History", "Recorder",
    "Recording", "activations", "glue", "glue_all", "live", "static_twin", "weight_grid_figure", "setup", "set_seed",
    "set_threads", "get_device", "available_cpus", "results", "load_results", "evidence", "claim", "chapter_seed",
    "self_check",
]
