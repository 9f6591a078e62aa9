"""The HTML report: self-contained, every image loads, renders in headless Chromium (phone and desktop)."""
from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import stance
from stance.report import write_report


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def report(results, clf, tmp_path_factory):
    import matplotlib

    matplotlib.use("Agg")
    return write_report(results, tmp_path_factory.mktemp("report") / "report.html", explain=clf)


def test_report_is_self_contained(report, results):
    page = report.read_text(encoding="utf-8")
    assert '<meta name="viewport"' in page and "@media print" in page and "max-width" in page
    # no external assets: every src / href is a data: URI or an in-page anchor
    assert not re.findall(r'(?:src|href)="(?!data:|#)', page)
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert len(images) >= 7 and len(images) == page.count("<img")
    from PIL import Image

    for data in images:
        im = Image.open(io.BytesIO(base64.b64decode(data)))
        im.load()
        assert im.format == "PNG" and im.width > 300
    for text in results["id"]:  # every statement is listed
        assert f"<td>{text}</td>" in page
    for section in ("stance by source_type", "tone by source_type", "rhetoric by source_type"):
        assert section in page
    assert "test: p = " in page


def test_report_explains_the_most_confident_statement_of_each_label(report, results, clf):
    from stance.explain import explain_html
    from stance.report import explained_rows

    page = report.read_text(encoding="utf-8")
    section = page.split('<h2 id="explanations">', 1)[1].split('<h2 id="statements">', 1)[0]
    for scheme in ("stance", "tone"):
        rows = explained_rows(results, scheme)
        assert sorted(rows[scheme]) == sorted(results[scheme].dropna().unique())  # one per label present
        real = results[~results["synthetic"].astype(bool)]
        for _, row in rows.iterrows():
            same = real[real[scheme] == row[scheme]]
            if len(same):  # a real statement is chosen when there is one, the most confident
                assert not row["synthetic"] and row[f"{scheme}_confidence"] == same[f"{scheme}_confidence"].max()
            target = row["target"] if scheme == "stance" else None
            expected = explain_html(clf.explain(row["text"], scheme, target=target, label=row[scheme], max_span=2))
            assert expected in section  # the highlighted text, weights and label as explain computes them
    assert section.count('<div class="stance-explain">') == (results["stance"].nunique() + results["tone"].nunique())
    assert "rhetoric" not in section  # multi-label: not explained
    assert 'href="#explanations"' in page


def test_report_without_a_classifier_has_no_explanations(results, tmp_path):
    page = write_report(results, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert 'id="explanations"' not in page and '<div class="stance-explain">' not in page


def test_report_cli_reads_results_and_sidecar(results, tmp_path):
    from stance.cli import main

    stance.write_table(results, tmp_path / "results.csv")
    assert main(["report", str(tmp_path / "results.csv"), "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "sentence-transformers/all-MiniLM-L6-v2" in page  # from the provenance sidecar
    assert page.count('<div class="stance-explain">') == results["stance"].nunique() + results["tone"].nunique()
    assert main(["report", str(tmp_path / "results.csv"), "--explain", "0", "--out", str(tmp_path / "r0.html")]) == 0
    assert '<div class="stance-explain">' not in (tmp_path / "r0.html").read_text(encoding="utf-8")
    assert main(["report", str(tmp_path / "results.csv"), "--explain", "-1", "--out", str(tmp_path / "r1.html")]) == 2
    assert main(["report", str(tmp_path / "results.csv"), "--out", str(tmp_path / "r.pdf")]) == 2
    assert main(["report", str(tmp_path / "results.csv"), "--by", "outlet", "--out", str(tmp_path / "x.html")]) == 2


# Marks, once the page has loaded, how many images decoded and whether the page fits its width.
PROBE = """<script>window.addEventListener("load", function () {
  var imgs = Array.from(document.images), ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute("data-images", ok.length + "/" + imgs.length);
  document.body.setAttribute("data-overflow", String(document.documentElement.scrollWidth > window.innerWidth + 1));
});</script></body>"""


def run_chromium(exe: str, args: list[str], tmp_path) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)], ids=["phone", "desktop"])
def test_report_renders_in_headless_chromium(report, tmp_path, width, height):
    exe = chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: `apt-get install -y chromium` (make test does it as root)")
        pytest.skip("chromium not installed (apt-get install -y chromium); required when CI is set")
    probed = tmp_path / "probed.html"
    probed.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE), encoding="utf-8")
    dom = run_chromium(exe, ["--virtual-time-budget=5000", f"--window-size={width},{height}", "--dump-dom",
                             probed.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'data-images="(\d+)/(\d+)"', dom.stdout)
    assert found, "the load handler did not run: " + dom.stdout[:300]
    assert found.group(1) == found.group(2) and int(found.group(2)) >= 7  # every image loaded
    assert 'data-overflow="false"' in dom.stdout  # nothing wider than the window (phone: 390 px)

    shot = tmp_path / "shot.png"
    result = run_chromium(exe, [f"--window-size={width},{height}", f"--screenshot={shot}", report.as_uri()], tmp_path)
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert pixels.shape[:2] == (height, width)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # text and charts, not a blank page
    assert (pixels < 128).mean() > 0.005  # some dark ink on the page
