"""Label schemes as data: name, labels, descriptions, hypothesis phrasings and presentation.

A scheme is a TOML file (see ``stance.toml`` beside this module for the format). Besides what
classifies (labels, hypotheses, prototypes, calibration, heads), a scheme owns how its results
look: the order labels are shown in (``display_order``) and a colour per label (``colour``),
which charts, the report and worksheets read, so that a new scheme needs no code changes.
The built-in schemes live in this folder; a user's own scheme is any ``.toml`` file
of the same shape, passed by path.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from stance.errors import SchemeError, choices

_HERE = Path(__file__).resolve().parent
TARGET = "{target}"
REVIEW_BELOW = 0.6  # default: rows whose label is less likely than this to be right are flagged for review
# The Okabe-Ito palette (Okabe & Ito 2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def fill_colours(labels, colours: dict[str, str] | None = None) -> dict[str, str]:
    """A colour per label: the given ones, then Okabe-Ito colours in palette order, skipping used ones.

    Parameters
    ----------
    labels : label names, in order
    colours : colours already chosen for some labels (``{label: "#RRGGBB"}``); others are ignored

    Returns
    -------
    dict
        ``{label: "#RRGGBB"}`` for every label, in the order of ``labels``. With more labels than
        unused palette colours, the palette repeats.

    Examples
    --------
    >>> fill_colours(["favor", "war", "peace"], {"favor": "#009E73"})
    {'favor': '#009E73', 'war': '#E69F00', 'peace': '#56B4E9'}
    """
    labels = list(dict.fromkeys(labels))
    fixed = {label: colours[label] for label in labels if colours and label in colours}
    used = {c.upper() for c in fixed.values()}
    spare = [c for c in OKABE_ITO if c not in used] + list(OKABE_ITO)
    out, k = {}, 0
    for label in labels:
        if label in fixed:
            out[label] = fixed[label]
        else:
            out[label] = spare[k % len(spare)]
            k += 1
    return out


@lru_cache(maxsize=32)
def _load_head(path: str):
    from stance.heads import load_head

    return load_head(path)


@dataclass(frozen=True)
class Label:
    """One label of a scheme.

    ``hypotheses`` are used by every backend; ``prototypes`` (example sentences in the
    genre's own voice) only by the embedding backend.
    """

    name: str
    description: str
    hypotheses: tuple[str, ...]
    prototypes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Calibration:
    """How one embedding model's similarities become probabilities for a scheme.

    A label's score is the mean of its ``top_k`` highest similarities to the label's
    hypotheses and prototypes (``top_k = 0``: the mean of all); with ``clauses``, the
    highest such score over the whole text and each of its sentences and clauses. Probabilities are
    ``softmax(scale * (score - offset))`` (single-label) or
    ``sigmoid(scale * (score - offset))`` (multi-label), one offset per label.
    """

    scale: float
    offsets: dict[str, float]
    top_k: int = 0
    clauses: bool = False
    fitted_on: str = ""


@dataclass(frozen=True)
class Scheme:
    """A label scheme.

    Examples
    --------
    >>> from stance.schemes import load_scheme
    >>> load_scheme("stance").label_names
    ('favor', 'against', 'neutral')
    """

    name: str
    version: str
    description: str
    labels: tuple[Label, ...]
    multi_label: bool = False
    threshold: float = 0.5
    source: str = "ad-hoc"
    calibration: dict[str, Calibration] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)  # model name -> trained head file (stance.heads)
    review_below: float = REVIEW_BELOW
    # presentation only (never part of the cache key): completed by __post_init__
    display_order: tuple[str, ...] = ()  # labels in the order charts and tables show them
    colours: dict[str, str] = field(default_factory=dict)  # label -> "#RRGGBB"

    def __post_init__(self) -> None:
        names = self.label_names
        order = [n for n in dict.fromkeys(self.display_order) if n in names]
        object.__setattr__(self, "display_order", tuple(order + [n for n in names if n not in order]))
        object.__setattr__(self, "colours", fill_colours(names, self.colours))

    def head(self, model: str):
        """The trained head (:class:`stance.heads.Head`) of this scheme for ``model``, or None."""
        path = self.heads.get(model)
        return None if path is None else _load_head(path)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    @property
    def target_aware(self) -> bool:
        """True when any hypothesis has a ``{target}`` placeholder."""
        return any(TARGET in h for label in self.labels for h in label.hypotheses + label.prototypes)

    def hypotheses(self, target: str | None = None, *, prototypes: bool = False) -> list[list[str]]:
        """The hypotheses of each label, in label order, with the target filled in.

        With ``prototypes=True`` each label's prototypes follow its hypotheses.

        >>> load_scheme("stance").hypotheses("NATO")[0][0]
        'The speaker supports NATO.'
        """
        if self.target_aware and not target:
            raise SchemeError(
                f"scheme {self.name!r} is target-aware and needs a target: "
                "pass target='NATO' (or target_col='target', or --target / --target-col)"
            )
        return [
            [fill_target(h, target) for h in label.hypotheses + (label.prototypes if prototypes else ())]
            for label in self.labels
        ]

    def provenance(self) -> dict:
        """What a results table records about the scheme (``display_order`` and ``colours`` are
        presentation: :func:`stance.cache.scheme_description` leaves them out of the cache key).

        >>> load_scheme("stance").provenance()["display_order"]
        ['favor', 'neutral', 'against']
        """
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "multi_label": self.multi_label,
            "labels": list(self.label_names),
            "hypotheses": {label.name: list(label.hypotheses) for label in self.labels},
            "prototypes": {label.name: list(label.prototypes) for label in self.labels},
            "calibration": {model: vars(c) for model, c in self.calibration.items()},
            "heads": {model: self.head(model).provenance() for model in self.heads},
            "review_below": self.review_below,
            "display_order": list(self.display_order),
            "colours": dict(self.colours),
        }


def fill_target(hypothesis: str, target: str | None) -> str:
    """Put the target into a hypothesis (only the ``{target}`` placeholder is replaced).

    >>> fill_target("The speaker opposes {target}.", "NATO")
    'The speaker opposes NATO.'
    """
    return hypothesis.replace(TARGET, target) if target else hypothesis


def list_schemes() -> list[str]:
    """Names of the built-in schemes.

    >>> "tone" in list_schemes()
    True
    """
    return sorted(p.stem for p in _HERE.glob("*.toml"))


def load_scheme(scheme: str | Path | Scheme) -> Scheme:
    """A built-in scheme by name, a user's scheme by path to a TOML file, or a Scheme as is.

    >>> load_scheme("tone").label_names
    ('hostile', 'critical', 'neutral', 'conciliatory')
    """
    if isinstance(scheme, Scheme):
        return scheme
    path = Path(scheme)
    if path.suffix != ".toml":
        if str(scheme) not in list_schemes():
            raise SchemeError(
                f"unknown scheme {str(scheme)!r}: choose one of {choices(list_schemes())} "
                "or pass the path to a scheme .toml file"
            )
        path = _HERE / f"{scheme}.toml"
    if not path.is_file():
        raise SchemeError(f"scheme file {str(path)!r} does not exist: check the path")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SchemeError(f"scheme file {str(path)!r} is not valid TOML: {exc}") from None
    return scheme_from_dict(data, source=str(path))


def scheme_from_dict(data: dict, source: str = "ad-hoc") -> Scheme:
    """Build and validate a scheme from the parsed TOML structure."""
    where = f"scheme {source!r}"
    for key in ("name", "labels"):
        if key not in data:
            raise SchemeError(f"{where} has no {key!r}: add it (see stance/schemes/stance.toml)")
    labels = []
    for entry in data["labels"]:
        if not entry.get("name") or not entry.get("hypotheses"):
            raise SchemeError(f"{where}: every label needs a 'name' and a list of 'hypotheses'")
        labels.append(Label(entry["name"], entry.get("description", ""), tuple(entry["hypotheses"]),
                            tuple(entry.get("prototypes", ()))))
    names = [label.name for label in labels]
    if len(set(names)) != len(names) or len(names) < 1:
        raise SchemeError(f"{where}: label names must be unique and at least one, got {names}")
    calibration = {
        model: Calibration(float(c["scale"]), {k: float(v) for k, v in c["offsets"].items()},
                           int(c.get("top_k", 0)), bool(c.get("clauses", False)), c.get("fitted_on", ""))
        for model, c in data.get("calibration", {}).items()
    }
    for model, cal in calibration.items():
        if set(cal.offsets) != set(names):
            raise SchemeError(f"{where}: calibration for {model!r} must give an offset for each of {names}")
    base = Path(source).parent if source != "ad-hoc" else Path.cwd()
    heads = {model: str((base / h["file"]).resolve()) for model, h in data.get("head", {}).items()}
    review_below = float(data.get("review_below", REVIEW_BELOW))
    if not 0.0 <= review_below <= 1.0:
        raise SchemeError(f"{where}: review_below must be between 0 and 1, got {review_below}")
    display_order, colours = _presentation(data, names, where)
    return Scheme(
        name=data["name"],
        version=str(data.get("version", "1")),
        description=data.get("description", ""),
        labels=tuple(labels),
        multi_label=bool(data.get("multi_label", False)),
        threshold=float(data.get("threshold", 0.5)),
        source=source,
        calibration=calibration,
        heads=heads,
        review_below=review_below,
        display_order=display_order,
        colours=colours,
    )


def _presentation(data: dict, names: list[str], where: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """The validated ``display_order`` and per-label ``colour`` entries of a parsed scheme file."""
    order = data.get("display_order", [])
    if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
        raise SchemeError(f"{where}: display_order must be a list of label names such as {names}, got {order!r}")
    unknown = [n for n in order if n not in names]
    if unknown:
        raise SchemeError(f"{where}: display_order names {choices(unknown)}, not a label: choose from {choices(names)}")
    repeated = sorted({n for n in order if order.count(n) > 1})
    if repeated:
        raise SchemeError(f"{where}: display_order repeats {choices(repeated)}: list each label once")
    colours = {}
    for entry in data["labels"]:
        if "colour" not in entry:
            continue
        colour = entry["colour"]
        if not isinstance(colour, str) or not _HEX.fullmatch(colour):
            raise SchemeError(f"{where}: label {entry['name']!r} has colour {colour!r}: use '#RRGGBB' hex, "
                              f"e.g. an Okabe-Ito colour ({choices(OKABE_ITO)})")
        colours[entry["name"]] = colour.upper()
    return tuple(order), colours


def adhoc_scheme(labels: list[str], template: str = "This example is {}.", *,
                 name: str = "label", multi_label: bool = False) -> Scheme:
    """A scheme from labels and one template, as transformers' zero-shot pipeline takes them.

    The template's ``{}`` receives the label; a ``{target}`` in it receives the target.

    >>> adhoc_scheme(["war", "peace"], "This text is about {}.").hypotheses()
    [['This text is about war.'], ['This text is about peace.']]
    """
    labels = [str(label).strip() for label in labels if str(label).strip()]
    if not labels:
        raise SchemeError("no labels given: pass labels such as ['favor', 'against', 'neutral']")
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise SchemeError(f"labels must be unique, but {choices(repeated)} repeat: pass each label once")
    if "{}" not in template:
        raise SchemeError(f"template {template!r} has no '{{}}' for the label: e.g. 'This example is {{}}.'")
    hypotheses = [template.replace("{}", label) for label in labels]
    return Scheme(
        name=name, version="ad-hoc", description=f"ad-hoc labels with template {template!r}",
        labels=tuple(Label(label, "", (h,)) for label, h in zip(labels, hypotheses)),
        multi_label=multi_label,
    )
