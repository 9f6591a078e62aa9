"""Documents in: plain text, Markdown and HTML, as plain text with a map back to the file.

A :class:`Document` holds the decoded file (``raw``), the plain text quotes are found in
(``text``: markup stripped, entities decoded, the header removed) and a map from plain-text
offsets to offsets in ``raw`` (:meth:`Document.to_raw`), so every extracted quote can be
found again in the file the user has.

Document metadata (the outlet, its type and the date) comes, by precedence, from the
arguments, a side CSV (``file,source,source_type,date``), or a header in the file:

* text and Markdown: ``key: value`` lines at the very top, ended by a blank line, or the
  same inside ``---`` front matter; keys ``source``, ``source_type``, ``date``, ``title``;
* HTML: ``<meta name="source" content="...">`` (also ``source_type``, ``date``,
  ``og:site_name`` and ``article:published_time``).

Encodings: UTF-8 (with or without a BOM) and UTF-16 with a BOM are read as such; any other
bytes are refused with a message naming the problem and the fix, unless an ``encoding`` is
passed (e.g. ``"cp1252"``), which is then used and recorded in ``Document.encoding``.
"""
from __future__ import annotations

import bisect
import csv
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from stance.errors import InputError, choices

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + HTML_SUFFIXES
HEADER_KEYS = ("source", "source_type", "date", "title")
SOURCE_TYPES = ("official", "state_media", "other")


@dataclass
class Document:
    """A document as plain text, with where each plain-text character came from in the file.

    >>> doc = document_from_html('<p>He said: <b>&ldquo;No.&rdquo;</b></p>')
    >>> doc.text.strip()
    'He said: “No.”'
    >>> start = doc.text.index("No")
    >>> doc.raw[doc.to_raw(start):doc.to_raw(start + 3, end=True)]
    'No.'
    """

    text: str
    raw: str = ""
    source: str = ""
    source_type: str = ""
    date: str = ""
    title: str = ""
    path: str = ""
    encoding: str = "utf-8"
    format: str = "text"
    # segments: plain start, raw start, raw end, exact (a verbatim copy) or not (a replacement)
    segments: list[tuple[int, int, int, bool]] = field(default_factory=list, repr=False)

    def to_raw(self, pos: int, end: bool = False) -> int:
        """The offset in ``raw`` of plain-text offset ``pos`` (``end=True`` for an end offset)."""
        if not self.segments:
            return pos
        starts = [s[0] for s in self.segments]
        at = pos - 1 if end and pos > 0 else pos
        plain_start, raw_start, raw_end, exact = self.segments[max(bisect.bisect_right(starts, at) - 1, 0)]
        if exact:
            return min(raw_start + (at - plain_start) + (1 if end and pos > 0 else 0), raw_end)
        return raw_end if end else raw_start


class _Builder:
    """Plain text assembled from verbatim copies of the raw text and replacements."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.parts: list[str] = []
        self.segments: list[tuple[int, int, int, bool]] = []
        self.length = 0

    def copy(self, a: int, b: int) -> None:
        if b > a:
            self._add(self.raw[a:b], a, b, True)

    def put(self, s: str, a: int, b: int) -> None:
        if s:
            self._add(s, a, b, False)

    def _add(self, s: str, a: int, b: int, exact: bool) -> None:
        self.segments.append((self.length, a, b, exact))
        self.parts.append(s)
        self.length += len(s)

    def last_char(self) -> str:
        return self.parts[-1][-1] if self.parts else "\n"

    def text(self) -> str:
        return "".join(self.parts)


# --- decoding -------------------------------------------------------------------------------

def decode(data: bytes, name: str = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode a file's bytes: UTF-8 or UTF-16 with a BOM, else the given ``encoding``.

    Returns ``(text, encoding used)``. Empty, binary and non-UTF-8 input is refused with
    one line that names the file, the problem and the fix.

    >>> decode("“Hi”".encode("utf-8"))
    ('“Hi”', 'utf-8')
    >>> decode(b"caf\\xe9", encoding="cp1252")
    ('café', 'cp1252')
    >>> decode(b"caf\\xe9", "a.txt")
    Traceback (most recent call last):
    stance.errors.InputError: 'a.txt' is not UTF-8 text (byte 0xe9 at offset 3): re-save it as UTF-8, or pass its encoding, e.g. encoding='cp1252' (CLI: --encoding cp1252)
    """
    if not data.strip():
        raise InputError(f"{name!r} is empty: it needs some text to extract quotes from")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(f"{name!r} starts with a UTF-16 byte-order mark but is not valid UTF-16") from None
    if looks_binary(data):
        raise InputError(f"{name!r} looks like a binary file, not text: pass a .txt, .md or .html document")
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}: use e.g. 'utf-8', 'cp1252', 'latin-1', 'gb18030'") \
                from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{name!r} is not valid {encoding} (byte 0x{data[exc.start]:02x} at offset "
                             f"{exc.start}): pass the file's real encoding") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        raise InputError(f"{name!r} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): "
                         "re-save it as UTF-8, or pass its encoding, e.g. encoding='cp1252' "
                         "(CLI: --encoding cp1252)") from None


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text: NUL bytes or many control characters in the first 8 KB.

    >>> looks_binary(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00"), looks_binary("plain “text”\\n".encode())
    (True, False)
    """
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(2, len(head) // 100)


# --- headers --------------------------------------------------------------------------------

_HEADER_LINE = re.compile(r"[ \t]*([A-Za-z_]+)[ \t]*:[ \t]*(.*?)[ \t]*\r?\n")


def split_header(raw: str) -> tuple[dict[str, str], int]:
    """Metadata from a ``key: value`` header (or ``---`` front matter) and where the body starts.

    Only the keys in ``HEADER_KEYS`` make a header; a first line like ``Introduction: ...``
    is text, not a header.

    >>> split_header("source: Daily Courier (synthetic)\\ndate: 2024-05-02\\n\\nBody.")
    ({'source': 'Daily Courier (synthetic)', 'date': '2024-05-02'}, 52)
    >>> split_header("Introduction: a title\\nBody.")
    ({}, 0)
    """
    pos, meta = 0, {}
    fenced = raw.startswith("---\n") or raw.startswith("---\r\n")
    if fenced:
        pos = raw.index("\n") + 1
    while True:
        m = _HEADER_LINE.match(raw, pos)
        if not m or m.group(1).lower() not in HEADER_KEYS:
            break
        meta[m.group(1).lower()] = m.group(2).strip().strip("\"'")
        pos = m.end()
    if fenced:
        close = re.compile(r"---[ \t]*(\r?\n|$)").match(raw, pos)
        if not close:
            return {}, 0  # a rule, not front matter
        return meta, close.end()
    if not meta:
        return {}, 0
    blank = re.compile(r"[ \t]*(\r?\n|$)").match(raw, pos)
    return (meta, blank.end()) if blank else ({}, 0)


# --- Markdown ---------------------------------------------------------------------------------

_MD_BLOCK = re.compile(r"[ \t]{0,3}(?:#{1,6}[ \t]+|(?:>[ \t]?)+|(?:[-*+]|\d{1,9}[.)])[ \t]+)")
_MD_RULE = re.compile(r"[ \t]{0,3}(?:[-*_][ \t]*){3,}$")
_MD_FENCE = re.compile(r"[ \t]{0,3}(```|~~~)")
_MD_REFDEF = re.compile(r"[ \t]{0,3}\[[^\]]+\]:[ \t]*\S")
_MD_INLINE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\([^)]*\)"            # image: keep the alt text
    r"|\[(?P<link>[^\]]+)\](?:\([^)]*\)|\[[^\]]*\])"  # link: keep the link text
    r"|<(?P<auto>https?://[^>\s]+)>"            # autolink
    r"|</?[A-Za-z][^>\n]*>"                     # inline HTML tag
    r"|\\(?P<esc>[\\`*_{}\[\]()#+\-.!>\"'])"    # backslash escape
    r"|`+|\*{1,3}|(?<![\w])_{1,3}|_{1,3}(?![\w])"  # code ticks and emphasis
)


def _markdown_line(b: _Builder, raw: str, a: int, z: int) -> None:
    """Copy one Markdown line's text into the builder, dropping inline markup."""
    pos = a
    for m in _MD_INLINE.finditer(raw, a, z):
        b.copy(pos, m.start())
        for group in ("alt", "link", "auto", "esc"):
            if m.group(group) is not None:
                b.copy(m.start(group), m.end(group))
                break
        pos = m.end()
    b.copy(pos, z)


def markdown_to_text(raw: str, start: int = 0) -> _Builder:
    """Plain text of Markdown from ``start``: block markers, links and emphasis removed."""
    b = _Builder(raw)
    in_fence = False
    for m in re.finditer(r"[^\n]*(\n|$)", raw[start:]):
        if not m.group(0):
            break
        a, z = start + m.start(), start + m.end() - len(m.group(1))
        line = raw[a:z]
        if _MD_FENCE.match(line):
            in_fence = not in_fence
            b.put("\n", a, z + len(m.group(1)))
            continue
        if in_fence:
            b.copy(a, z)
        elif _MD_RULE.match(line) or _MD_REFDEF.match(line):
            pass
        else:
            block = _MD_BLOCK.match(line)
            body = a + (block.end() if block else 0)
            text_end = z
            if block and line.lstrip().startswith("#") and line.rstrip().endswith("#"):
                text_end = max(body, a + len(line.rstrip().rstrip("#").rstrip()))
            _markdown_line(b, raw, body, text_end)
        b.copy(z, z + len(m.group(1)))
    return b


def document_from_markdown(raw: str, **meta) -> Document:
    """A Document from Markdown text (with an optional header or front matter).

    >>> document_from_markdown("# News\\n\\nThe *ministry* said: “[No](http://x).”").text
    'News\\n\\nThe ministry said: “No.”'
    """
    header, body = split_header(raw)
    b = markdown_to_text(raw, body)
    return Document(text=b.text(), raw=raw, segments=b.segments, format="markdown", **{**header, **meta})


# --- HTML -----------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
               "blockquote", "section", "article", "header", "footer", "aside", "main", "figure",
               "figcaption", "pre", "hr", "dd", "dt", "dl", "nav", "title", "td", "th"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_META_KEYS = {"source": "source", "source_type": "source_type", "date": "date", "og:site_name": "source",
              "article:published_time": "date", "og:title": "title"}


class _HTMLText(HTMLParser):
    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.builder = _Builder(raw)
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", raw)]
        self.skip = 0
        self.meta: dict[str, str] = {}

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _break(self, a: int) -> None:
        if self.builder.parts and self.builder.last_char() != "\n":
            self.builder.put("\n\n", a, a)

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "meta":
            attrs = dict(attrs)
            key = _META_KEYS.get((attrs.get("name") or attrs.get("property") or "").lower())
            if key and attrs.get("content") and key not in self.meta:
                self.meta[key] = attrs["content"].strip()
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self._break(self._offset())

    def handle_endtag(self, tag) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self._break(self._offset())

    def handle_data(self, data) -> None:
        if self.skip:
            return
        a = self._offset()
        for m in re.finditer(r"\s+|\S+", data):
            if m.group(0)[0].isspace():
                if self.builder.last_char() not in " \n":
                    self.builder.put(" ", a + m.start(), a + m.end())
            else:
                self.builder.copy(a + m.start(), a + m.end())

    def _reference(self, ref: str) -> None:
        if self.skip:
            return
        a = self._offset()
        end = a + len(ref) + (1 if self.raw.startswith(";", a + len(ref)) else 0)
        self.builder.put(html.unescape(self.raw[a:end] if self.raw[end - 1] == ";" else self.raw[a:end] + ";"),
                         a, end)

    def handle_entityref(self, name) -> None:
        self._reference("&" + name)

    def handle_charref(self, name) -> None:
        self._reference("&#" + name)


def document_from_html(raw: str, **meta) -> Document:
    """A Document from HTML: the text of the body, scripts and styles dropped, entities decoded."""
    parser = _HTMLText(raw)
    parser.feed(raw)
    parser.close()
    b = parser.builder
    return Document(text=b.text(), raw=raw, segments=b.segments, format="html", **{**parser.meta, **meta})


def document_from_text(raw: str, **meta) -> Document:
    """A Document from plain text: the header (if any) removed, the rest verbatim.

    >>> doc = document_from_text("source: Ministry (synthetic)\\n\\nIt said “no”.")
    >>> doc.source, doc.text, doc.to_raw(doc.text.index("no"))
    ('Ministry (synthetic)', 'It said “no”.', 39)
    """
    header, body = split_header(raw)
    return Document(text=raw[body:], raw=raw, segments=[(0, body, len(raw), True)], format="text",
                    **{**header, **meta})


# --- files and folders ------------------------------------------------------------------------

def read_document(path: str | Path, *, encoding: str | None = None, source: str | None = None,
                  source_type: str | None = None, date: str | None = None) -> Document:
    """Read one .txt, .md or .html file as a :class:`Document` (arguments override the header)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"unsupported document type {suffix or '(none)'!r} for {str(path)!r}: "
                         f"use one of {choices(SUFFIXES)}")
    if not path.is_file():
        raise InputError(f"document {str(path)!r} does not exist: check the path")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    raw, used = decode(data, str(path), encoding)
    meta = {k: v for k, v in (("source", source), ("source_type", source_type), ("date", date)) if v}
    if suffix in HTML_SUFFIXES:
        doc = document_from_html(raw, **meta)
    elif suffix in MARKDOWN_SUFFIXES:
        doc = document_from_markdown(raw, **meta)
    else:
        doc = document_from_text(raw, **meta)
    doc.path, doc.encoding = str(path), used
    check_source_type(doc.source_type, str(path))
    return doc


def check_source_type(value: str, where: str) -> None:
    if value and value not in SOURCE_TYPES:
        raise InputError(f"source_type {value!r} of {where!r} is not one of {choices(SOURCE_TYPES)}")


def document_paths(inputs: list[str | Path]) -> list[Path]:
    """The documents named: files as given, folders searched (recursively) for .txt/.md/.html."""
    paths: list[Path] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            found = sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(item).parts))
            if not found:
                raise InputError(f"folder {str(item)!r} has no documents: it needs {choices(SUFFIXES)} files")
            paths.extend(found)
        elif item.exists():
            paths.append(item)
        else:
            raise InputError(f"document {str(item)!r} does not exist: check the path")
    return paths


def read_side_csv(path: str | Path) -> dict[str, dict[str, str]]:
    """Document metadata from a CSV with columns ``file`` and any of ``source, source_type, date``.

    ``file`` is matched against a document's path, its name, or its name without extension.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"metadata CSV {str(path)!r} does not exist: check the path")
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows or "file" not in rows[0]:
        raise InputError(f"metadata CSV {str(path)!r} needs a 'file' column and one row per document, "
                         f"with any of 'source', 'source_type', 'date'")
    out = {}
    for line, row in enumerate(rows, start=2):
        meta = {k: (row.get(k) or "").strip() for k in ("source", "source_type", "date") if (row.get(k) or "").strip()}
        check_source_type(meta.get("source_type", ""), f"{path}, line {line}")
        out[row["file"].strip()] = meta
    return out


def side_meta(doc_path: Path, table: dict[str, dict[str, str]]) -> dict[str, str]:
    """The side-CSV row for a document, matched by path, file name or stem."""
    for key in (str(doc_path), doc_path.as_posix(), doc_path.name, doc_path.stem):
        if key in table:
            return table[key]
    return {}
