"""How a results table's schemes look: which schemes it holds, their labels, display order and colours.

Charts (:mod:`stance.plot`), the report (:mod:`stance.report`), comparison tables
(:mod:`stance.compare`) and worksheets (:mod:`stance.classroom`) loop over the schemes a results
table's provenance names (``df.attrs["stance"]["runs"]``), never over fixed scheme names, and
take each scheme's label order and colours from there: a new scheme file is drawn, reported and
put on a worksheet without code changes. A table without provenance falls back to the built-in
scheme of a column's name, else to what its columns show.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from stance.schemes import TARGET, Scheme, fill_colours

__all__ = ["SchemeLook", "look_of", "look_from_provenance", "scheme_look", "scheme_looks"]


@dataclass(frozen=True)
class SchemeLook:
    """What charts need to know about one scheme's results in a table.

    ``name`` is the results' column prefix (the run's name; usually the scheme's name),
    ``labels`` are in probability-column order, ``display_order`` the order to show them in,
    ``colours`` one ``"#RRGGBB"`` per label.

    Examples
    --------
    >>> look = look_of(Scheme("mood", "1", "", ()))
    >>> look.ordered(["sad", "glad"]), look.colours_for(["sad"])
    (['sad', 'glad'], {'sad': '#E69F00'})
    """

    name: str
    labels: tuple[str, ...]
    display_order: tuple[str, ...]
    colours: dict[str, str] = field(default_factory=dict)
    multi_label: bool = False
    target_aware: bool = False
    threshold: float = 0.5
    target_col: str | None = None

    @property
    def title(self) -> str:
        """The name for a heading or chart title: ``stance`` -> ``Stance``.

        >>> look_of(Scheme("tone", "1", "", ())).title
        'Tone'
        """
        return self.name[:1].upper() + self.name[1:]

    def ordered(self, present) -> list[str]:
        """The labels of ``present`` (in any order, repeats allowed) in display order; labels the
        scheme does not know follow in the order they first appear.

        >>> from stance.schemes import load_scheme
        >>> look_of(load_scheme("stance")).ordered(["against", "maybe", "favor", "against"])
        ['favor', 'against', 'maybe']
        """
        present = list(dict.fromkeys(str(p) for p in present))
        return [l for l in self.display_order if l in present] + [l for l in present if l not in self.display_order]

    def colours_for(self, labels) -> dict[str, str]:
        """A colour for each of ``labels``: the scheme's, then unused Okabe-Ito colours for others.

        >>> from stance.schemes import load_scheme
        >>> look_of(load_scheme("stance")).colours_for(["favor", "maybe"])
        {'favor': '#009E73', 'maybe': '#E69F00'}
        """
        return fill_colours(labels, {l: c for l, c in self.colours.items() if l in set(labels)})


def look_of(scheme: Scheme, name: str | None = None) -> SchemeLook:
    """The look of a :class:`stance.schemes.Scheme` (its results named ``name``, default the scheme's).

    >>> from stance.schemes import load_scheme
    >>> look_of(load_scheme("tone")).display_order
    ('conciliatory', 'neutral', 'critical', 'hostile')
    """
    return SchemeLook(name or scheme.name, scheme.label_names, scheme.display_order, dict(scheme.colours),
                      scheme.multi_label, scheme.target_aware, float(scheme.threshold or 0.5))


def look_from_provenance(name: str, run: dict) -> SchemeLook:
    """The look of the run ``name`` of a table's provenance (``df.attrs["stance"]["runs"][name]``).

    Provenance written before schemes carried a look (no ``display_order``) takes the built-in
    scheme's of the same name and labels, else label order and Okabe-Ito colours.

    >>> run = {"scheme": {"name": "mood", "labels": ["sad", "glad"], "multi_label": False,
    ...                   "display_order": ["glad", "sad"], "colours": {"sad": "#0072B2", "glad": "#E69F00"},
    ...                   "hypotheses": {"sad": ["It is sad."], "glad": ["It is glad."]}}}
    >>> look = look_from_provenance("mood", run)
    >>> look.display_order, look.colours["sad"], look.target_aware
    (('glad', 'sad'), '#0072B2', False)
    """
    info = run.get("scheme", {})
    labels = tuple(info.get("labels", ()))
    multi = bool(info.get("multi_label", False))
    order, colours = info.get("display_order"), info.get("colours")
    if order is None or colours is None:
        builtin = _builtin(info.get("name", name))
        if builtin is not None and builtin.label_names == labels:
            order = builtin.display_order if order is None else order
            colours = builtin.colours if colours is None else colours
    order = [l for l in dict.fromkeys(order or ()) if l in labels]
    texts = [t for key in ("hypotheses", "prototypes") for ts in (info.get(key) or {}).values() for t in ts]
    return SchemeLook(
        name=name, labels=labels, display_order=tuple(order + [l for l in labels if l not in order]),
        colours=fill_colours(labels, colours or {}), multi_label=multi,
        target_aware=any(TARGET in t for t in texts),
        threshold=float(info.get("threshold") or 0.5) if multi else 0.5,
        target_col=run.get("target_col"),
    )


def _builtin(name: str) -> Scheme | None:
    from stance.schemes import list_schemes, load_scheme

    return load_scheme(name) if name in list_schemes() else None


def _runs(df: pd.DataFrame, provenance: dict | None) -> dict:
    prov = provenance if provenance is not None else df.attrs.get("stance")
    return (prov or {}).get("runs", {}) if isinstance(prov, dict) else {}


def scheme_look(df: pd.DataFrame, name: str, provenance: dict | None = None) -> SchemeLook:
    """The look of the results named ``name`` in ``df``: from the table's provenance
    (``provenance``, default ``df.attrs["stance"]``), else the built-in scheme or scheme file of
    that name, else what the columns show (``name_p_<label>`` columns, else the values of ``name``).

    >>> scheme_look(pd.DataFrame({"tone": ["hostile"]}), "tone").colours["hostile"]
    '#D55E00'
    >>> scheme_look(pd.DataFrame({"mood": ["sad", "glad"]}), "mood").labels
    ('glad', 'sad')
    """
    run = _runs(df, provenance).get(name)
    if run:
        return look_from_provenance(name, run)
    try:
        from stance.schemes import load_scheme

        return look_of(load_scheme(name), name)
    except Exception:  # noqa: BLE001 - not a known scheme: read the labels off the columns
        prefix = f"{name}_p_"
        labels = [c[len(prefix):] for c in df.columns if c.startswith(prefix)]
        multi = bool(labels) and all(f"{name}_{n}" in df.columns for n in labels)
        if not labels and name in df.columns:
            labels = sorted(df[name].dropna().astype(str).unique())
        return SchemeLook(name, tuple(labels), tuple(labels), fill_colours(labels), multi)


def scheme_looks(df: pd.DataFrame, provenance: dict | None = None) -> list[SchemeLook]:
    """The schemes whose results are in ``df`` (a label column ``S`` and ``S_confidence``):
    first those its provenance names, in the order they were run, then any other ``S`` with
    ``S_confidence`` and either ``S_p_<label>`` columns or a built-in scheme's name, in column order.

    >>> t = pd.DataFrame(columns=["text", "tone", "tone_confidence", "mood", "mood_confidence", "mood_p_sad"])
    >>> [look.name for look in scheme_looks(t)]
    ['tone', 'mood']
    """
    from stance.schemes import list_schemes

    runs = _runs(df, provenance)
    columns = set(map(str, df.columns))
    names = [n for n in runs if n in columns and f"{n}_confidence" in columns]
    builtin = set(list_schemes())
    for col in map(str, df.columns):
        if col in names or f"{col}_confidence" not in columns:
            continue
        if col in builtin or any(c.startswith(f"{col}_p_") for c in columns):
            names.append(col)
    return [scheme_look(df, n, provenance) for n in names]
