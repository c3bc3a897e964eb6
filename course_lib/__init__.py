"""course_lib: the helper package of *How Neural Networks Learn*.

Four folders, read in this order:

* ``core`` — what every chapter uses, in the order of the book's flow: ``repro`` (seeds, threads,
  device) -> ``data`` -> ``models`` -> ``train`` (with ``optim``, ``evaluate``,
  ``runs``) -> ``record`` -> ``measures`` -> ``plots`` -> ``panels`` (live widgets) and ``twins``
  (their static copies) -> ``publish`` (glue and figures for the site); ``validate`` holds the
  argument checks of every function.
* ``chapters`` — one chapter's measures and figures each: ``templates``, ``template_fits``,
  ``shifts``, ``template_plots``, ``template_figures`` (chapter 1); ``hidden``,
  ``hidden_training``, ``hidden_plots`` (2); ``splitting``, ``splitting_runs``,
  ``splitting_summaries``, ``updates``, ``splitting_plots`` (3); ``jump``, ``jump_results``,
  ``conv``, ``ascent`` (4, 4b); ``bottleneck``, ``folding`` (5); ``memorization``, ``geometry``,
  ``memorization_plots`` (6).
* ``pages`` — what computes in the published page with no kernel: ``lab`` (draw a digit, silence
  hidden units, train in the page; its JavaScript is ``pages/js/nnlab.js``), ``linked`` (figures whose
  hover shows the digits).
* ``course`` — what makes the book a course: ``results`` (the committed results files),
  ``evidence`` (the claims and their ledger), ``selfcheck`` (end-of-chapter questions), ``downloads``
  (full MNIST and CIFAR-10 for the optional cells and projects: the one part that needs the network).

The names below are the ones a chapter reaches as ``cl.<name>``. Importing the package changes
nothing: :func:`setup` (the first cell of every chapter) sets threads and seeds, the plotly
renderer of the site and the figures' style.
"""
from .chapters.jump import load_jump_task, make_jump_signals
from .core import plots
from .core.data import Split, load_mnist, make_random_data, shuffle_labels
from .core.evaluate import evaluate, predict
from .core.measures import as_numpy, class_means, row_correlations
from .core.models import MLP, MLPEnsemble
from .core.panels import live
from .core.publish import glue, glue_all
from .core.record import Recorder, Recording, activations
from .core.repro import available_cpus, chapter_seed, get_device, set_seed, set_threads, setup
from .core.runs import Run, train_seeds
from .core.train import History, StopTraining, TrainingDiverged, train
from .core.twins import static_twin, weight_grid_figure
from .course import evidence, results
from .course.downloads import load_full_mnist
from .course.evidence import claim
from .course.results import load as load_results
from .course.selfcheck import self_check

try:  # the one version number lives in pyproject.toml; installed (also editable) copies carry it
    from importlib.metadata import version as _version

    __version__ = _version("course_lib")
except Exception:  # imported from a bare source tree
    __version__ = "unknown"

__all__ = [
    "Split", "load_mnist", "load_full_mnist", "load_jump_task", "make_jump_signals", "make_random_data",
    "shuffle_labels", "MLP", "MLPEnsemble", "train", "train_seeds", "Run", "StopTraining", "TrainingDiverged",
    "evaluate", "predict", "History", "Recorder", "Recording", "activations", "as_numpy", "class_means",
    "row_correlations", "plots", "glue", "glue_all", "live", "static_twin", "weight_grid_figure", "setup",
    "set_seed", "set_threads", "get_device", "available_cpus", "results", "load_results", "evidence", "claim",
    "chapter_seed", "self_check",
]
