"""Reading the chapters as a course: their exercises and objectives, and the run sheets of the instructor's guide.

The run sheets (:data:`RUN_SHEETS`) are written by hand: for each 90-minute session, what students read before,
a minute-by-minute plan (each item says whether the class works on the static site or in a kernel and which
sections it teaches) and the homework. Which section builds on which is written down once in :data:`DEPENDS`, and
:func:`check_run_sheets` checks the sheets against it and against the chapters (every section and exercise they name
exists, every session fits its slot, nothing the class builds on is left to reading). Titles, learning objectives
and exercise numbers are read from the chapter notebooks when the book is built, so the guide
(``book/instructor_guide.ipynb``) and the exercise collection (``book/exercises.ipynb``) never drift from the chapters.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Exercise", "Item", "RunSheet", "Page", "SLOT_MINUTES", "RUN_SHEETS", "DEPENDS", "OBJECTIVE_SECTIONS",
           "STRETCH", "OPTIONAL", "COMPANION", "is_chapter", "chapter_paths", "chapter_title", "find_exercises",
           "learning_objectives", "read_book", "check_run_sheets", "render_overview", "render_run_sheet", "render_stretch",
           "render_exercise_use"]

_EXERCISE = re.compile(r"```\{exercise\}\s*(?P<title>[^\n]*)\n(?P<options>(?::[^\n]*\n)*)(?P<body>.*?)```", re.S)
#: Sections every chapter ends with; they are not taught on their own.
NOT_TAUGHT = ("Summary", "Exercises", "Self-check", "References")
#: Length of a class session in minutes, start-up included.
SLOT_MINUTES = 90
WHERE = {"site": "static site", "kernel": "kernel"}


# --------------------------------------------------------------------------------------------------------------------
# The run sheets. Anchors are "<notebook stem>#<section id>", the id Sphinx gives a heading on the site (lower case,
# words joined by "-"); a bare stem ("00_introduction", "primer") stands for the whole page.
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One step of a session: its minutes, what happens, where students work and the sections it teaches.

    ``where`` is ``"site"`` (the book's web pages: every figure computed, static twins move without a kernel) or
    ``"kernel"`` (the chapter open in Binder, Colab or local Jupyter, run from the top). The start-up item opens
    every session: kernels start while the class works on the site.
    """

    minutes: int
    where: str
    activity: str
    sections: tuple[str, ...] = ()
    exercises: tuple[str, ...] = ()
    startup: bool = False


@dataclass(frozen=True)
class RunSheet:
    """One 90-minute session of the six-session course."""

    number: int
    chapters: tuple[str, ...]
    items: tuple[Item, ...]
    reading: tuple[str, ...] = ()      # new material to read before the session; the class never builds on it
    review: tuple[str, ...] = ()       # sections taught in an earlier session that this one builds on
    before: tuple[str, ...] = ()       # exercise labels to do before the session
    after: tuple[str, ...] = ()        # sections (or whole pages) to read after the session; the class never builds on them
    homework: tuple[str, ...] = ()     # exercise labels to hand in after the session

    @property
    def minutes(self) -> int:
        return sum(item.minutes for item in self.items)


def _sheet(number, chapters, items, **kw) -> RunSheet:
    return RunSheet(number, tuple(chapters), tuple(Item(*i[:3], **(i[3] if len(i) > 3 else {})) for i in items), **kw)


_WRAP = "Wrap-up: the chapter's summary, questions, the homework and the question of the next session."
_START = ("Start-up: students open {ch} on Binder or Colab (rocket button at the top of the page) and choose *Run all* "
          "(half a minute on two cores, longer on a busy Binder); the class works on the static site meanwhile. ")

RUN_SHEETS: tuple[RunSheet, ...] = (
    _sheet(1, ["00_introduction", "01_templates"], [
        (10, "site", _START.format(ch="chapter 1") + "Collect the answers to the introduction's predict-first "
         "exercise and put its puzzle figure (hidden units that look like noise) on the screen: the course's question.",
         dict(startup=True)),
        (15, "site", "Why the weights are a picture: the score as a dot product, the gradient "
         "$(p_k - [y = k])\\,\\mathbf x$ derived at the board, the ring and the hole of the 0, and why the blank "
         "border keeps its random start.", dict(sections=("01_templates#the-model-and-the-data",
                                                          "01_templates#the-weights-are-images"))),
        (10, "site", "The correlation matrix: each template is most like its own class mean, and more like the "
         "contrast (class mean minus the mean digit) than like the mean itself.",
         dict(sections=("01_templates#templates-versus-averages",))),
        (12, "kernel", "Evidence maps: run the section's cells, then set `right` to the index of another test digit "
         "and run the evidence cells again. Which strokes decide, and where does the evidence against come from?",
         dict(sections=("01_templates#evidence-for-one-image",))),
        (10, "kernel", "The static twin first (the shapes are there after one epoch), then the live panel: change the "
         "learning rate and compare templates and accuracy.", dict(sections=("01_templates#watch-the-templates-form",))),
        (8, "site", "Shifted digits break the templates: the sweep figure and the static twin over $k$; a hidden layer "
         "still reads the same digits. Skip the optional CIFAR-10 cell (it downloads data).",
         dict(sections=("01_templates_further#breaking-the-templates",))),
        (15, "kernel", "Weight decay: everyone predicts first (two minutes), then each pair takes one weight decay and "
         "one shift $k$ in the live panel and reports what happened to the templates and to the accuracy.",
         dict(sections=("01_templates_further#regularization-smoother-templates",), exercises=("ch1-ex-decay",))),
        (5, "site", _WRAP),
    ], reading=("primer", "00_introduction"), before=("intro-ex-predict", "intro-ex-loops", "intro-ex-lr"),
        after=("01_templates#how-good-is-it-and-how-does-it-fail", "01_templates_further"), homework=("ch1-ex-ones-sevens", "ch1-ex-blunder", "ch1-ex-means")),

    _sheet(2, ["02_hidden_layers"], [
        (10, "site", _START.format(ch="chapter 2") + "Questions on the homework of session 1.", dict(startup=True)),
        (12, "site", "Agarwal's Lego project: the 30 hidden units are speckle, not strokes (digit-likeness); the output "
         "weights as images and as bars; what the blog post states and what the chapter chose.",
         dict(sections=("02_hidden_layers#the-lego-blocks",))),
        (10, "site", "Build a digit from the favourite blocks (it fails); derive the effective template at the board; "
         "the digits come back, buried in noise; hidden units respond to groups of classes.",
         dict(sections=("02_hidden_layers#try-to-build-a-digit-from-the-blocks",))),
        (18, "site", "The two reasons for the noise: pixels that never carry ink never get a gradient (chapter 1's "
         "argument), and the useful weights move less than their random start; divide the inputs by $10^4$ and joint "
         "templates appear. The Adam check at the end of the section is for after class.",
         dict(sections=("02_hidden_layers#why-the-first-layer-looks-like-noise",))),
        (10, "site", "A small start with L2: smooth pictures and a better network; the ablation shows that the start, "
         "not L2, makes the difference.",
         dict(sections=("02_hidden_layers_further#initialization-and-regularization-change-what-is-learned",))),
        (8, "kernel", "The hidden-size sweep: copy the sweep cell, set `SIZES` to sizes of your choice, run it and "
         "read the seed-to-seed spread. The comparison with Agarwal's single runs (data, seeds, quadratic cost) is "
         "optional.", dict(sections=("02_hidden_layers_further#how-few-blocks-are-enough",))),
        (15, "kernel", "Live panel: predict, then set `init_std` to 0.001 at input scale 1; then the block workbench: "
         "how many blocks until the partial template correlates 0.9 with all 30?",
         dict(sections=("02_hidden_layers#try-it-yourself",), exercises=("ch2-ex-init", "ch2-ex-rebuild"))),
        (5, "site", _WRAP),
    ], review=("01_templates#the-weights-are-images",), after=("02_hidden_layers_further",), homework=("ch2-ex-shuffle", "ch2-ex-silent", "ch2-ex-relu")),

    _sheet(3, ["03_class_splitting"], [
        (10, "site", _START.format(ch="chapter 3") + "Each student writes down which hidden layer will separate 0s "
         "from 1s first after one epoch, and why.", dict(startup=True, exercises=("ch3-ex-layer",))),
        (18, "site", "Strip plots of the 30 neurons; the static twin through the first epoch, step by step; the "
         "separation score; check the predictions from the start.",
         dict(sections=("03_class_splitting#neurons-split-the-classes",))),
        (15, "kernel", "Random labels split too (briefly); four classes: sign codes; then the live panel over class "
         "set, activation and epoch: compare tanh, sigmoid and ReLU, and look for ReLU units that stay at 0.",
         dict(sections=("03_class_splitting_further#not-an-artefact-of-mnist",))),
        (10, "site", "The within-class share of variance falls towards the output; poor splitters' outgoing weights "
         "hardly change.", dict(sections=("03_class_splitting_further#variance-shrinks-towards-the-output",))),
        (12, "site", "The flip test: everyone sketches the ten-class curve first; then why the two-class curve "
         "crosses 0.5 near half (the algebra at the board), and what flipping the strongest votes first shows.",
         dict(sections=("03_class_splitting#a-class-is-a-pattern",), exercises=("ch3-ex-flip10",))),
        (15, "kernel", "Derive $\\partial L/\\partial W = \\boldsymbol\\delta\\,\\mathbf a^\\top$ at the board; the cosines "
         "show that each update is a copy of the image; the momentum live panel (0, 0.5, 0.9).",
         dict(sections=("03_class_splitting_further#a-gradient-is-a-copy-of-its-input",))),
        (5, "site", _WRAP),
    ], review=("02_hidden_layers#why-the-first-layer-looks-like-noise",),
        after=("03_class_splitting_further#pixels-are-neurons-too", "03_class_splitting_further#the-thesis-and-this-chapter-side-by-side",
               "03_class_splitting_further"),
        homework=("ch3-ex-normalize", "ch3-ex-dead")),

    _sheet(4, ["04_edges", "04b_convolution"], [
        (10, "site", _START.format(ch="chapter 4 (its first part)") + "The jump task and its four error measures; "
         "everyone predicts the errors of a detector that always answers 50.",
         dict(startup=True, sections=("04_edges#the-task-where-does-the-signal-jump",), exercises=("ch4-ex-constant",))),
        (12, "site", "Smooth, differentiate, take the largest rise; the detector written as a one-layer network with "
         "hand-set weights; its best width.",
         dict(sections=("04_edges#the-signal-processing-answer-smooth-differentiate-take-the-largest-rise",))),
        (13, "kernel", "Run the cell that trains the one-layer network (30 epochs, seconds) and compare it with the "
         "detector; read the table of the five full-recipe runs. The thesis's tables and *How good could a detector "
         "be?* are for after class.", dict(sections=("04_edges#networks-beat-the-detector",))),
        (10, "site", "The learned weights are a smoothed derivative filter: compare them with the detector's.",
         dict(sections=("04_edges#the-1-layer-network-is-an-edge-detector",))),
        (5, "site", "A hidden layer spreads the position out: class-averaged activations (chapter 6 comes back to "
         "them).", dict(sections=("04_edges_further#a-hidden-layer-spreads-the-position-out",))),
        (12, "kernel", "Second part (open it now): PyTorch's `conv1d` computes a cross-correlation (run the bump "
         "example); the gradient of a shared weight is the sum over its copies (run the autograd check).",
         dict(sections=("04b_convolution_further#convolution-or-cross-correlation",
                        "04b_convolution#weight-sharing-one-filter-many-copies"))),
        (5, "site", "Output length from kernel, stride and padding: one exercise in pairs.",
         dict(sections=("04b_convolution_further#output-length-stride-and-padding",), exercises=("ch4b-ex-length",))),
        (10, "site", "First everyone predicts what a filter of 3 learns (one minute); then: one-filter CNNs beat "
         "the detector, what their filters learned (smoothing or differentiating), the comparison with the thesis.",
         dict(sections=("04b_convolution#single-filter-cnns-on-the-jump-task",), exercises=("ch4b-ex-kernel3",))),
        (5, "site", "Check the prediction: move the static twin's slider to a filter of 3, and through the seeds.",
         dict(sections=("04b_convolution#kernel-length-interactively",))),
        (5, "site", _WRAP),
    ], after=("04_edges#how-good-could-a-detector-be", "04_edges_further#what-do-the-networks-look-for",
              "04_edges_further#noise-level-and-filter-width",
              "04b_convolution_further#motif-detection-telling-c-from-d", "04b_convolution_further#what-do-the-cnns-look-for",
              "04_edges_further", "04b_convolution_further"),
        homework=("ch4-ex-width", "ch4-ex-height", "ch4-ex-bayes", "ch4b-ex-smallest")),

    _sheet(5, ["05_bottleneck"], [
        (10, "site", _START.format(ch="chapter 5") + "The jump task squeezed through a layer of $p$ units: what could "
         "a layer of two units keep?",
         dict(startup=True, sections=("05_bottleneck#the-jump-task-squeezed-through-a-narrow-layer",))),
        (15, "site", "How narrow can it be: the page's short sweep, then the full recipe (wider is better, deep beats "
         "shallow); units that never fire. The thesis's own stopping rule is optional.",
         dict(sections=("05_bottleneck_further#how-narrow-can-it-be",))),
        (15, "site", "The two-unit layer is a map: an ordered curve, pinned to the axes where ReLU cuts a unit off. "
         "In pairs: predict the map of shuffled classes.",
         dict(sections=("05_bottleneck#the-two-dimensional-bottleneck-is-a-map",), exercises=("ch5-ex-shuffled",))),
        (13, "kernel", "Least-squares and nearest-mean readouts: run the three-point example (exact), then add points "
         "to `V3` and run it again: with more points than $p + 1$ least squares gets some wrong, while the "
         "nearest-mean readout labels any set of distinct points; how often random points can be read out.",
         dict(sections=("05_bottleneck_further#reading-the-bottleneck-out",))),
        (8, "site", "Ten digits through two units: where ReLU collapses them.",
         dict(sections=("05_bottleneck_further#digits-through-a-two-unit-layer",))),
        (10, "site", "Layers of two units fold the plane (static twin, one operation at a time); why thin ReLU "
         "networks fail.", dict(sections=("05_bottleneck#layers-fold-the-plane",))),
        (12, "kernel", "A bottleneck of your own in the live panel: width 2, step through the seeds for both depths; "
         "then width 8.", dict(sections=("05_bottleneck#try-it-a-bottleneck-of-your-own",), exercises=("ch5-ex-dead",))),
        (5, "site", _WRAP),
    ], review=("04_edges#the-signal-processing-answer-smooth-differentiate-take-the-largest-rise",
               "04_edges#networks-beat-the-detector"),
        after=("05_bottleneck_further",), homework=("ch5-ex-ends",)),

    _sheet(6, ["06_memorization"], [
        (10, "site", _START.format(ch="chapter 6") + "Everyone predicts: will layers of 50 units store shuffled labels "
         "in fewer or more epochs than layers of 100?", dict(startup=True, exercises=("ch6-ex-width",))),
        (15, "site", "Random labels can be fitted: training accuracy reaches 100 % while test accuracy stays at "
         "chance; the same on MNIST. The thesis's numbers are optional.",
         dict(sections=("06_memorization#random-labels-can-be-fitted",))),
        (15, "kernel", "Label noise as a dial; patterns first, noise later; check the prediction in the live panel "
         "(noise 1.0, widths 50 and 100, 50 epochs).", dict(sections=("06_memorization#label-noise-as-a-dial",))),
        (10, "site", "Class-averaged activation maps show stripes for the memorizing network too.",
         dict(sections=("06_memorization_further#averaged-activations-cannot-tell-them-apart",))),
        (12, "site", "t-SNE of each layer, learning against memorizing; the nearest-neighbour position gap.",
         dict(sections=("06_memorization_further#t-sne-of-each-layer",))),
        (15, "site", "Inner-class and inter-class deviation, layer by layer, on the jump task and on MNIST.",
         dict(sections=("06_memorization#measuring-the-spread-deviation-measures",))),
        (8, "site", "Wrap-up of the course: back to the introduction's question, what did the networks learn? Each "
         "group states the answer of one chapter in one sentence."),
    ], review=("03_class_splitting_further#not-an-artefact-of-mnist", "04_edges_further#a-hidden-layer-spreads-the-position-out"),
        after=("06_memorization_further#what-the-weights-look-like-when-there-is-nothing-to-learn", "06_memorization_further"),
        homework=("ch6-ex-stripes", "ch6-ex-tsne", "ch6-ex-level")),
)

#: Section -> the sections it builds on (what a reader must have met first). Only teaching sections (``##``).
DEPENDS: dict[str, tuple[str, ...]] = {
    "01_templates#the-weights-are-images": ("01_templates#the-model-and-the-data",),
    "01_templates#templates-versus-averages": ("01_templates#the-weights-are-images",),
    "01_templates#evidence-for-one-image": ("01_templates#the-weights-are-images",),
    "01_templates#watch-the-templates-form": ("01_templates#the-weights-are-images",),
    "01_templates#how-good-is-it-and-how-does-it-fail": ("01_templates#evidence-for-one-image",),
    "01_templates_further#breaking-the-templates": ("01_templates#templates-versus-averages",),
    "01_templates_further#regularization-smoother-templates": ("01_templates#templates-versus-averages",
                                                       "01_templates_further#breaking-the-templates"),
    "02_hidden_layers#the-lego-blocks": ("01_templates#the-weights-are-images", "01_templates#templates-versus-averages"),
    "02_hidden_layers#try-to-build-a-digit-from-the-blocks": ("02_hidden_layers#the-lego-blocks",),
    "02_hidden_layers#why-the-first-layer-looks-like-noise": ("02_hidden_layers#the-lego-blocks",
                                                              "01_templates#the-weights-are-images"),
    "02_hidden_layers_further#initialization-and-regularization-change-what-is-learned": (
        "02_hidden_layers#try-to-build-a-digit-from-the-blocks", "02_hidden_layers#why-the-first-layer-looks-like-noise"),
    "02_hidden_layers_further#how-few-blocks-are-enough": (
        "02_hidden_layers#the-lego-blocks", "02_hidden_layers_further#initialization-and-regularization-change-what-is-learned"),
    "02_hidden_layers#try-it-yourself": ("02_hidden_layers#why-the-first-layer-looks-like-noise",
                                         "02_hidden_layers_further#initialization-and-regularization-change-what-is-learned"),
    "03_class_splitting_further#not-an-artefact-of-mnist": ("03_class_splitting#neurons-split-the-classes",),
    "03_class_splitting_further#pixels-are-neurons-too": ("03_class_splitting#neurons-split-the-classes",
                                                  "02_hidden_layers#why-the-first-layer-looks-like-noise"),
    "03_class_splitting_further#variance-shrinks-towards-the-output": ("03_class_splitting#neurons-split-the-classes",),
    "03_class_splitting#a-class-is-a-pattern": ("03_class_splitting_further#not-an-artefact-of-mnist",
                                                "03_class_splitting_further#variance-shrinks-towards-the-output"),
    "03_class_splitting_further#a-gradient-is-a-copy-of-its-input": ("01_templates#the-weights-are-images",
                                                             "02_hidden_layers#why-the-first-layer-looks-like-noise"),
    "03_class_splitting_further#the-thesis-and-this-chapter-side-by-side": (
        "03_class_splitting#a-class-is-a-pattern", "03_class_splitting_further#a-gradient-is-a-copy-of-its-input"),
    "04_edges#the-signal-processing-answer-smooth-differentiate-take-the-largest-rise": (
        "04_edges#the-task-where-does-the-signal-jump",),
    "04_edges#networks-beat-the-detector": (
        "04_edges#the-signal-processing-answer-smooth-differentiate-take-the-largest-rise",),
    "04_edges#the-1-layer-network-is-an-edge-detector": ("04_edges#networks-beat-the-detector",),
    "04_edges_further#a-hidden-layer-spreads-the-position-out": ("04_edges#networks-beat-the-detector",),
    "04_edges_further#what-do-the-networks-look-for": ("04_edges#networks-beat-the-detector",),
    "04_edges_further#noise-level-and-filter-width": ("04_edges#the-1-layer-network-is-an-edge-detector",),
    "04b_convolution#weight-sharing-one-filter-many-copies": ("04b_convolution_further#convolution-or-cross-correlation",
                                                              "04_edges#the-1-layer-network-is-an-edge-detector"),
    "04b_convolution_further#output-length-stride-and-padding": ("04b_convolution_further#convolution-or-cross-correlation",),
    "04b_convolution_further#motif-detection-telling-c-from-d": ("04b_convolution_further#convolution-or-cross-correlation",),
    "04b_convolution#single-filter-cnns-on-the-jump-task": ("04b_convolution#weight-sharing-one-filter-many-copies",
                                                            "04b_convolution_further#output-length-stride-and-padding",
                                                            "04_edges#networks-beat-the-detector"),
    "04b_convolution_further#what-do-the-cnns-look-for": ("04b_convolution#single-filter-cnns-on-the-jump-task",
                                                  "04_edges_further#what-do-the-networks-look-for"),
    "04b_convolution#kernel-length-interactively": ("04b_convolution#single-filter-cnns-on-the-jump-task",),
    "05_bottleneck#the-jump-task-squeezed-through-a-narrow-layer": ("04_edges#the-task-where-does-the-signal-jump",),
    "05_bottleneck_further#how-narrow-can-it-be": ("05_bottleneck#the-jump-task-squeezed-through-a-narrow-layer",
                                           "04_edges#networks-beat-the-detector"),
    "05_bottleneck#the-two-dimensional-bottleneck-is-a-map": ("05_bottleneck_further#how-narrow-can-it-be",),
    "05_bottleneck_further#reading-the-bottleneck-out": ("05_bottleneck#the-two-dimensional-bottleneck-is-a-map",),
    "05_bottleneck_further#digits-through-a-two-unit-layer": ("05_bottleneck#the-two-dimensional-bottleneck-is-a-map",),
    "05_bottleneck#layers-fold-the-plane": ("05_bottleneck_further#digits-through-a-two-unit-layer",),
    "05_bottleneck#try-it-a-bottleneck-of-your-own": ("05_bottleneck#the-two-dimensional-bottleneck-is-a-map",),
    "06_memorization#random-labels-can-be-fitted": ("04_edges#the-task-where-does-the-signal-jump",
                                                    "03_class_splitting_further#not-an-artefact-of-mnist"),
    "06_memorization#label-noise-as-a-dial": ("06_memorization#random-labels-can-be-fitted",),
    "06_memorization_further#averaged-activations-cannot-tell-them-apart": ("06_memorization#random-labels-can-be-fitted",
                                                                    "04_edges_further#a-hidden-layer-spreads-the-position-out"),
    "06_memorization_further#t-sne-of-each-layer": ("06_memorization_further#averaged-activations-cannot-tell-them-apart",),
    "06_memorization#measuring-the-spread-deviation-measures": ("06_memorization_further#t-sne-of-each-layer",),
    "06_memorization_further#what-the-weights-look-like-when-there-is-nothing-to-learn": (
        "06_memorization#random-labels-can-be-fitted", "01_templates#the-weights-are-images"),
}

#: For each chapter, the sections that teach each of its learning objectives, in the order of the objectives.
OBJECTIVE_SECTIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "00_introduction": (("00_introduction#the-story-we-are-told",), ("00_introduction#a-first-network-logistic-regression",),
                        ("00_introduction#watch-the-templates-form",), ("00_introduction#the-map-of-the-book",)),
    "01_templates": (("01_templates#the-weights-are-images",), ("01_templates#templates-versus-averages",),
                     ("01_templates#evidence-for-one-image",), ("01_templates#how-good-is-it-and-how-does-it-fail",),
                     ("01_templates_further#breaking-the-templates", "01_templates_further#regularization-smoother-templates")),
    "02_hidden_layers": (("02_hidden_layers#the-lego-blocks",), ("02_hidden_layers#try-to-build-a-digit-from-the-blocks",),
                         ("02_hidden_layers#why-the-first-layer-looks-like-noise",),
                         ("02_hidden_layers#why-the-first-layer-looks-like-noise",
                          "02_hidden_layers_further#initialization-and-regularization-change-what-is-learned",
                          "02_hidden_layers#try-it-yourself"),
                         ("02_hidden_layers_further#how-few-blocks-are-enough",)),
    "03_class_splitting": (("03_class_splitting#neurons-split-the-classes",), ("03_class_splitting#neurons-split-the-classes",),
                           ("03_class_splitting_further#variance-shrinks-towards-the-output",),
                           ("03_class_splitting#a-class-is-a-pattern",),
                           ("03_class_splitting_further#a-gradient-is-a-copy-of-its-input",)),
    "04_edges": (("04_edges#the-task-where-does-the-signal-jump",),
                 ("04_edges#the-signal-processing-answer-smooth-differentiate-take-the-largest-rise",),
                 ("04_edges#networks-beat-the-detector",),
                 ("04_edges#the-1-layer-network-is-an-edge-detector", "04_edges_further#a-hidden-layer-spreads-the-position-out"),
                 ("04_edges_further#what-do-the-networks-look-for",)),
    "04b_convolution": (("04b_convolution_further#convolution-or-cross-correlation",),
                        ("04b_convolution#weight-sharing-one-filter-many-copies",),
                        ("04b_convolution_further#output-length-stride-and-padding",),
                        ("04b_convolution_further#motif-detection-telling-c-from-d",),
                        ("04b_convolution#single-filter-cnns-on-the-jump-task",),
                        ("04b_convolution_further#what-do-the-cnns-look-for",)),
    "05_bottleneck": (("05_bottleneck_further#how-narrow-can-it-be",), ("05_bottleneck#the-two-dimensional-bottleneck-is-a-map",),
                      ("05_bottleneck_further#reading-the-bottleneck-out",),
                      ("05_bottleneck_further#digits-through-a-two-unit-layer", "05_bottleneck#layers-fold-the-plane")),
    "06_memorization": (("06_memorization#random-labels-can-be-fitted",), ("06_memorization#label-noise-as-a-dial",),
                        ("06_memorization_further#averaged-activations-cannot-tell-them-apart",),
                        ("06_memorization_further#t-sne-of-each-layer", "06_memorization#measuring-the-spread-deviation-measures")),
}

#: What students new to deep learning can skip, and why (sections, subsections or whole pages).
OPTIONAL: dict[str, str] = {
    "04b_convolution": "convolution; chapters 5 and 6 do not build on it",
    "05_bottleneck#layers-fold-the-plane": "the folding section; nothing later builds on it",
    "03_class_splitting_further#the-thesis-and-this-chapter-side-by-side": "thesis comparison",
    "05_bottleneck_further#the-thesis-s-own-stopping-rule": "thesis comparison",
    "06_memorization_further#the-thesis-s-numbers-beside-ours": "thesis comparison",
}

#: The course stretched for students new to deep learning: (title, pages or sections, optional session).
STRETCH: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("Training in one page", ("primer", "00_introduction"), False),
    ("Templates", ("01_templates", "01_templates_further"), False),
    ("Hidden-layer weights", ("02_hidden_layers", "02_hidden_layers_further"), False),
    ("Class-splitting neurons, first half", ("03_class_splitting#neurons-split-the-classes",
                                             "03_class_splitting_further#not-an-artefact-of-mnist",
                                             "03_class_splitting_further#pixels-are-neurons-too"), False),
    ("Class-splitting neurons, second half", ("03_class_splitting_further#variance-shrinks-towards-the-output",
                                              "03_class_splitting#a-class-is-a-pattern",
                                              "03_class_splitting_further#a-gradient-is-a-copy-of-its-input",
                                              "03_class_splitting_further"), False),
    ("Edges after all", ("04_edges", "04_edges_further"), False),
    ("Bottleneck embeddings", ("05_bottleneck", "05_bottleneck_further"), False),
    ("Memorization vs learning", ("06_memorization", "06_memorization_further"), False),
    ("Convolution", ("04b_convolution", "04b_convolution_further"), True),
)


# --------------------------------------------------------------------------------------------------------------------
# Reading the chapters
# --------------------------------------------------------------------------------------------------------------------

@dataclass
class Exercise:
    """One exercise of a chapter: its label, title, text, kind and whether a solution follows."""

    chapter: str
    label: str
    title: str
    body: str
    kind: str
    has_solution: bool

    @property
    def predicts(self) -> bool:
        """True if the exercise asks the reader to predict before running or looking ("predicted" does not count)."""
        return re.search(r"\bpredict\b", (self.title + " " + self.body).lower()) is not None


@dataclass
class Page:
    """A notebook of the book as the guide sees it: title, sections (anchor -> (level, title)), exercises, objectives."""

    stem: str
    title: str
    sections: dict[str, tuple[int, str]] = field(default_factory=dict)
    exercises: list[Exercise] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)

    def teaching_sections(self) -> list[str]:
        """Anchors of the ``##`` sections that teach something (not the summary, exercises, self-check, references)."""
        return [a for a, (level, title) in self.sections.items() if level == 2 and title not in NOT_TAUGHT]


def _cells(path: Path) -> list[dict]:
    nb = json.loads(Path(path).read_text())
    cells = []
    for cell in nb["cells"]:
        src = cell["source"]
        cells.append({"type": cell["cell_type"], "source": "".join(src) if isinstance(src, list) else src,
                      "tags": cell.get("metadata", {}).get("tags", [])})
    return cells


def _slug(title: str) -> str:
    """The id Sphinx gives a section heading (docutils' ``make_id`` for plain ASCII titles)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


#: A chapter's second page ends its stem with this: ``01_templates_further`` ("Templates in depth") holds the
#: sections that deepen the chapter's argument (the sources' experiments, further controls). It has no objectives,
#: exercises or self-check of its own: those stay on the chapter page.
COMPANION = "_further"


def is_chapter(stem: str) -> bool:
    """Whether a notebook stem names a chapter page (``01_templates``), not its companion or another page."""
    return bool(re.match(r"\d\d", stem)) and not stem.endswith(COMPANION)


def chapter_paths(root: str | Path, companions: bool = False) -> list[Path]:
    """The chapter notebooks (``NN_*.ipynb``) listed in ``root/_toc.yml``, in the book's order.

    Args:
        root: the repository root (the folder of ``_toc.yml``).
        companions: also the chapters' companion pages (``NN_*_further.ipynb``), each after its chapter.
    """
    import yaml

    toc_file = Path(root) / "_toc.yml"
    if not toc_file.exists():
        raise ValueError(f"chapter_paths: {str(toc_file)!r} does not exist; pass the repository root.")
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(toc_file.read_text()))
    paths = [Path(root) / f"{f}.ipynb" for f in files
             if is_chapter(Path(f).name) or (companions and re.match(r"\d\d", Path(f).name))]
    paths = [p for p in paths if p.exists()]
    if not paths:
        raise ValueError(f"chapter_paths: {str(toc_file)!r} lists no chapter notebooks (NN_*.ipynb).")
    return paths


def chapter_title(path: str | Path) -> str:
    """The ``# title`` of a chapter notebook."""
    for cell in _cells(Path(path)):
        if cell["type"] == "markdown":
            m = re.search(r"^# (.+)$", cell["source"], re.M)
            if m:
                return m.group(1).strip()
    raise ValueError(f"chapter_title: {str(path)!r} has no '# title' line.")


def _planned_kind(label: str) -> str | None:
    """"homework" or "discussion" if the run sheets use the exercise (at home or in class), else None."""
    for sheet in RUN_SHEETS:
        if label in sheet.homework or label in sheet.before:
            return "homework"
        if any(label in item.exercises for item in sheet.items):
            return "discussion"
    return None


def find_exercises(path: str | Path) -> list[Exercise]:
    """Every ``{exercise}`` of a chapter notebook, in order.

    The kind is ``"discussion"`` or ``"homework"``: from the cell's tag of that name if it has one, else from the
    use the run sheets make of it (in class: discussion; before or after the session: homework), else predict-first
    exercises count as discussion and the others as homework.

    Returns:
        list of :class:`Exercise`.
    """
    path = Path(path)
    cells = _cells(path)
    found = []
    for i, cell in enumerate(cells):
        if cell["type"] != "markdown":
            continue
        for m in _EXERCISE.finditer(cell["source"]):
            label = re.search(r":label:\s*(\S+)", m.group("options"))
            if not label:
                raise ValueError(f"find_exercises: an exercise in {path.name} has no :label:; add one.")
            # the solution is the next markdown cell (code that draws what the exercise asks about may come between)
            following = next((c["source"] for c in cells[i + 1:] if c["type"] == "markdown"), "")
            has_solution = f"{{solution}} {label.group(1)}" in following or f"{{solution}} {label.group(1)}" in cell["source"]
            ex = Exercise(path.stem, label.group(1), m.group("title").strip(), m.group("body").strip(), "", has_solution)
            tags = set(cell["tags"])
            ex.kind = "discussion" if "discussion" in tags else "homework" if "homework" in tags else (
                _planned_kind(ex.label) or ("discussion" if ex.predicts else "homework"))
            found.append(ex)
    return found


def learning_objectives(path: str | Path) -> list[str]:
    """The numbered items of a chapter's ``Learning objectives`` admonition (MyST markup kept), in order."""
    for cell in _cells(Path(path)):
        m = re.search(r":::\{admonition\} Learning objectives\n(.*?)\n:::", cell["source"], re.S) \
            if cell["type"] == "markdown" else None
        if m:
            items: list[str] = []
            for line in m.group(1).splitlines():
                if re.match(r"\d+\.\s", line):
                    items.append(re.sub(r"^\d+\.\s+", "", line).strip())
                elif items and line.startswith(" ") and line.strip():
                    items[-1] += " " + line.strip()
            return items
    return []


def read_page(path: str | Path) -> Page:
    """A notebook's title, ``##``/``###`` sections with their anchors, exercises and learning objectives."""
    path = Path(path)
    page = Page(path.stem, chapter_title(path))
    for cell in _cells(path):
        if cell["type"] != "markdown":
            continue
        for line in cell["source"].splitlines():
            m = re.match(r"^(##|###) (.+)$", line)
            if m:
                page.sections.setdefault(f"{path.stem}#{_slug(m.group(2).strip())}", (len(m.group(1)), m.group(2).strip()))
    page.exercises = find_exercises(path)
    page.objectives = learning_objectives(path)
    return page


def read_book(root: str | Path, extra: tuple[str, ...] = ("primer",)) -> dict[str, Page]:
    """The chapters of ``root/_toc.yml`` (with their companion pages) and the ``extra`` pages of ``root/book``
    that exist, by notebook stem."""
    paths = chapter_paths(root, companions=True) + [p for p in (Path(root) / "book" / f"{s}.ipynb" for s in extra) if p.exists()]
    return {p.stem: read_page(p) for p in paths}


# --------------------------------------------------------------------------------------------------------------------
# Checking the run sheets
# --------------------------------------------------------------------------------------------------------------------

def _expand(anchor: str, book: dict[str, Page]) -> list[str]:
    """A section anchor as itself; a bare page stem as the page's teaching sections."""
    if "#" in anchor:
        return [anchor]
    return book[anchor].teaching_sections() if anchor in book else []


def _exists(anchor: str, book: dict[str, Page], level: int | None = 2) -> bool:
    stem = anchor.split("#")[0]
    if stem not in book:
        return False
    if "#" not in anchor:
        return True
    return anchor in book[stem].sections and (level is None or book[stem].sections[anchor][0] == level)


def check_run_sheets(book: dict[str, Page], sheets=RUN_SHEETS, depends=DEPENDS, objectives=OBJECTIVE_SECTIONS,
                     stretch=STRETCH, optional=OPTIONAL, slot: int = SLOT_MINUTES) -> list[str]:
    """Everything wrong with the run sheets, as sentences; an empty list if nothing is.

    Checks that every session fits ``slot`` minutes and opens with a start-up item on the static site; that every
    section, page and exercise named exists; that every prerequisite of an in-class item (``depends``) is taught in
    class earlier, so none is left to reading before or after the session; that reading before a session only needs
    what earlier sessions taught, and reading after it only what has been taught by then; that review sections were
    taught before; that every chapter appears in a session, every teaching section of it is placed somewhere, and
    every chapter has exercises to do at home; that ``objectives`` matches each chapter's learning objectives; and
    that the stretched course has 8 or 9 sessions covering every section that is not optional.

    Args:
        book: pages by stem, from :func:`read_book`.
    """
    problems: list[str] = []
    labels = {e.label: stem for stem, page in book.items() for e in page.exercises}
    chapters = [stem for stem in book if is_chapter(stem)]

    # 1. anchors exist
    def need(anchor, what, level=2):
        if not _exists(anchor, book, level):
            problems.append(f"{what}: {anchor!r} is not a {'section' if '#' in anchor else 'page'} of the book"
                            + (" (a ## heading)" if level == 2 and "#" in anchor else "") + ".")
            return False
        return True

    for key, prereqs in depends.items():
        need(key, "DEPENDS")
        for p in prereqs:
            need(p, f"DEPENDS[{key!r}]")
    for s in sheets:
        for a in s.reading:
            need(a, f"session {s.number}, reading before")
        for a in s.review:
            need(a, f"session {s.number}, review")
        for a in s.after:     # a subsection may be left to read while its section is taught
            need(a, f"session {s.number}, reading after", level=None)
        for item in s.items:
            for a in item.sections:
                need(a, f"session {s.number}, in class")
        for stem in s.chapters:
            if stem not in book:
                problems.append(f"session {s.number}: chapter {stem!r} is not in the book.")
        for label in s.before + s.homework + tuple(x for item in s.items for x in item.exercises):
            if label not in labels:
                problems.append(f"session {s.number}: exercise {label!r} is not an exercise label of any chapter.")
    for a in optional:
        need(a, "OPTIONAL", level=None)

    # 2. each session fits its slot and starts with a start-up on the site
    for s in sheets:
        if s.minutes > slot:
            problems.append(f"session {s.number} takes {s.minutes} minutes, more than its {slot}-minute slot.")
        if not s.items or not s.items[0].startup or s.items[0].where != "site":
            problems.append(f"session {s.number} must open with a start-up item on the static site "
                            "(kernels take minutes to start).")
        if sum(item.startup for item in s.items) != 1:
            problems.append(f"session {s.number} needs exactly one start-up item.")
        for item in s.items:
            if item.where not in WHERE:
                problems.append(f"session {s.number}: where={item.where!r} must be one of {sorted(WHERE)}.")
            if item.minutes <= 0:
                problems.append(f"session {s.number}: an item has {item.minutes} minutes.")

    # 3. order: nothing the class builds on is left to reading
    taught: dict[str, tuple[int, int]] = {}          # section -> (session, item) where it is first taught in class
    for s in sheets:
        for i, item in enumerate(s.items):
            for a in item.sections:
                taught.setdefault(a, (s.number, i))
    read_before = {a: s.number for s in sheets for r in s.reading for a in _expand(r, book)}
    read_after = {a: s.number for s in sheets for x in s.after for a in _expand(x, book)}
    for s in sheets:
        for i, item in enumerate(s.items):
            for a in item.sections:
                for p in depends.get(a, ()):
                    if taught.get(p, (10 ** 6, 0)) <= (s.number, i):
                        continue
                    if p in read_before:
                        where = f"it is reading before session {read_before[p]}"
                    elif p in read_after:
                        where = f"it is sent home after session {read_after[p]}"
                    elif p in taught:
                        where = f"it is taught only later, in session {taught[p][0]}"
                    else:
                        where = "it is not taught"
                    problems.append(f"session {s.number}, in class: {a!r} builds on {p!r}, but {where}.")
        for r in s.reading:
            for a in _expand(r, book):
                for p in depends.get(a, ()):
                    if taught.get(p, (10 ** 6, 0)) >= (s.number, 0):
                        problems.append(f"session {s.number}, reading before: {a!r} builds on {p!r}, "
                                        "which no earlier session teaches.")
        for a in s.review:
            if taught.get(a, (10 ** 6, 0)) >= (s.number, 0):
                problems.append(f"session {s.number}, review: {a!r} was not taught in an earlier session.")
        after = [a for x in s.after for a in _expand(x, book)]
        for k, a in enumerate(after):
            for p in depends.get(a, ()):
                known = taught.get(p, (10 ** 6, 0))[0] <= s.number or read_before.get(p, 10 ** 6) <= s.number \
                    or read_after.get(p, 10 ** 6) < s.number or p in after[:k]
                if not known:
                    problems.append(f"session {s.number}, reading after: {a!r} builds on {p!r}, "
                                    "which is not taught or read by then.")

    # 4. coverage: chapters, sections, homework
    placed = set(taught) | set(read_before) | set(read_after)
    with_companions = [stem for stem in book if re.match(r"\d\d", stem)]
    for stem in with_companions:
        for a in book[stem].teaching_sections():
            if a not in placed:
                problems.append(f"section {a!r} is in no run sheet: teach it, or send it for reading before or after "
                                "a session (RUN_SHEETS in book/_ext/syllabus.py).")
    for stem in chapters:
        if not any(stem in s.chapters for s in sheets):
            problems.append(f"chapter {stem!r} is in no session.")
        own = {e.label for e in book[stem].exercises}
        if not any(label in own for s in sheets for label in s.before + s.homework):
            problems.append(f"chapter {stem!r} has no exercise set for home (before or after a session).")

    # 5. objectives
    for stem in chapters:
        found, mapped = book[stem].objectives, objectives.get(stem, ())
        if len(found) != len(mapped):
            problems.append(f"chapter {stem!r} has {len(found)} learning objectives; OBJECTIVE_SECTIONS maps {len(mapped)}.")
        for group in mapped:
            for a in group:
                need(a, f"OBJECTIVE_SECTIONS[{stem!r}]")

    # 6. the stretched course
    if not 8 <= len(stretch) <= 9:
        problems.append(f"the stretched course has {len(stretch)} sessions, not 8 or 9.")
    covered = {a for _, anchors, _ in stretch for x in anchors for a in _expand(x, book)}
    skipped = {a for x in optional for a in _expand(x, book)}
    for stem in with_companions:
        for a in book[stem].teaching_sections():
            if a not in covered and a not in skipped:
                problems.append(f"section {a!r} is in no session of the stretched course and not optional.")
    for _, anchors, _ in stretch:
        for a in anchors:
            need(a, "STRETCH")
    return problems


# --------------------------------------------------------------------------------------------------------------------
# Rendering (MyST markdown for the guide)
# --------------------------------------------------------------------------------------------------------------------

def _ref(anchor: str, book: dict[str, Page], short: bool = False) -> str:
    """A link to a page, or the page's link followed by the section title in italics."""
    stem, _, _ = anchor.partition("#")
    if "#" not in anchor:
        return f"{{doc}}`{stem}`"
    title = book[stem].sections[anchor][1]
    name = _chapter_name(stem)
    if short and not stem.endswith(COMPANION):      # a section on the companion page says where it is
        return f"*{title}*"
    return f"{{doc}}`{name} <{stem}>`: *{title}*"


def _chapter_name(stem: str) -> str:
    m = re.match(r"(\d\d)(b?)", stem)
    if not m:
        return stem
    name = "Introduction" if m.group(1) == "00" else f"Chapter {int(m.group(1))}{m.group(2)}"
    return f"{name}, in depth" if stem.endswith(COMPANION) else name


def _exercise_refs(labels, book) -> str:
    return ", ".join(f"{{numref}}`{label}`" for label in labels) or "—"


def _has_self_check(stem: str, book: dict[str, Page]) -> bool:
    return any(title == "Self-check" for _, title in book[stem].sections.values())


def render_overview(book: dict[str, Page], sheets=RUN_SHEETS) -> str:
    """The course at a glance: one row per session."""
    rows = ["| Session | Chapters | In class (min) | Read before | Homework |", "|---|---|---|---|---|"]
    for s in sheets:
        chapters = " and ".join(f"{{doc}}`{_chapter_name(c)} <{c}>`" for c in s.chapters)
        before = "; ".join([_ref(a, book) for a in s.reading] + [f"look back: {_ref(a, book)}" for a in s.review]) or \
            "the chapters' openings only"
        rows.append(f"| {s.number} | {chapters} | {s.minutes} | {before} | {_exercise_refs(s.homework, book)} |")
    return "\n".join(rows)


def _objective_status(groups: tuple[str, ...], s: RunSheet, book: dict[str, Page]) -> str:
    in_class = {a for item in s.items for a in item.sections}
    before = {a for r in s.reading for a in _expand(r, book)}
    if all(a in in_class for a in groups):
        return "in class"
    if all(a in before for a in groups):
        return "before the session"
    later = [a for a in groups if a in s.after]
    if later:
        return ("in class, then " if any(a in in_class for a in groups) else "") + \
            "reading after the session: " + ", ".join(_ref(a, book, short=True) for a in later)
    return "in class"


def render_run_sheet(number: int, book: dict[str, Page], sheets=RUN_SHEETS) -> str:
    """One session's run sheet: objectives, what to do before, the minute-by-minute plan and what to do after."""
    s = next(x for x in sheets if x.number == number)
    out = ["**Objectives.** After this session students can (from the chapters' learning objectives; where each is "
           "reached in brackets):", ""]
    for stem in s.chapters:
        for text, groups in zip(book[stem].objectives, OBJECTIVE_SECTIONS.get(stem, ())):
            out.append(f"* {_chapter_name(stem)}: {text.rstrip(';.')} ({_objective_status(groups, s, book)}).")
    out += ["", "**Before the session.**", ""]
    out += [f"* Read {_ref(a, book)}" for a in s.reading]
    out += [f"* Read the opening and learning objectives of {{doc}}`{_chapter_name(c)} <{c}>`."
            for c in s.chapters if not any(r == c for r in s.reading)]
    out += [f"* Look back at {_ref(a, book)} (taught in an earlier session; this one builds on it)." for a in s.review]
    if s.before:
        out.append(f"* Exercises: {_exercise_refs(s.before, book)}.")
    out.append("* Open the session's chapter on Binder or Colab once, to check that it starts.")
    out += ["", "**In class** (start–end in minutes; *where*: the static site, or a kernel on Binder, Colab or a laptop).",
            "", "| Minutes | Activity | Where | Sections | Exercises |", "|---|---|---|---|---|"]
    t = 0
    for item in s.items:
        sections = "; ".join(_ref(a, book, short=len(s.chapters) == 1) for a in item.sections) or "—"
        out.append(f"| {t}–{t + item.minutes} | {item.activity} | {WHERE[item.where]} | {sections} | "
                   f"{_exercise_refs(item.exercises, book)} |")
        t += item.minutes
    out += ["", f"In class: {s.minutes} of {SLOT_MINUTES} minutes.", "", "**After the session.**", ""]
    out += [f"* Read {_ref(a, book)}" for a in s.after]
    out.append(f"* Homework: {_exercise_refs(s.homework, book)}.")
    checks = [c for c in s.chapters if _has_self_check(c, book)]
    if checks:
        out.append("* The self-check at the end of " + " and ".join(
            f"{{doc}}`{_chapter_name(c)} <{c}>`" for c in checks) + " (three questions; needs a kernel).")
    return "\n".join(out)


def render_stretch(book: dict[str, Page], stretch=STRETCH, optional=OPTIONAL) -> str:
    """The stretched course: one row per session, with what can be skipped."""
    rows = ["| Session | Content | Can be skipped |", "|---|---|---|"]
    for n, (title, anchors, is_optional) in enumerate(stretch, 1):
        content = "; ".join(_ref(a, book) for a in anchors)
        skip = [f"{_ref(a, book)} ({why})" for a, why in optional.items()
                if any(a == x or a.split("#")[0] == x or a in _expand(x, book) for x in anchors) and a not in anchors]
        if is_optional:
            skip = [f"the whole session ({optional.get(anchors[0], 'optional')})"]
        rows.append(f"| {n}{' (optional)' if is_optional else ''} | {title}: {content} | {'; '.join(skip) or '—'} |")
    return "\n".join(rows)


def render_exercise_use(book: dict[str, Page], sheets=RUN_SHEETS) -> str:
    """Per chapter: the exercises the run sheets use in class, at home, and the ones left over."""
    rows = ["| Chapter | In class | At home (session) | Not assigned |", "|---|---|---|---|"]
    for stem, page in book.items():
        if not is_chapter(stem):
            continue
        in_class, home, rest = [], [], []
        for e in page.exercises:
            used = [(s.number, "class") for s in sheets if any(e.label in i.exercises for i in s.items)] + \
                   [(s.number, "home") for s in sheets if e.label in s.before + s.homework]
            if any(kind == "class" for _, kind in used):
                in_class.append(f"{{numref}}`{e.label}`")
            for n, kind in used:
                if kind == "home":
                    sheet = next(x for x in sheets if x.number == n)
                    home.append(f"{{numref}}`{e.label}` ({'before ' if e.label in sheet.before else ''}{n})")
            if not used:
                rest.append(f"{{numref}}`{e.label}`")
        rows.append(f"| {{doc}}`{_chapter_name(stem)} <{stem}>` | {', '.join(in_class) or '—'} | "
                    f"{', '.join(home) or '—'} | {', '.join(rest) or '—'} |")
    return "\n".join(rows)
