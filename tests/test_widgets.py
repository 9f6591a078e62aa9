"""stance.widgets without a browser: the answer files, resuming, agreement, the explorer's and the
compare widget's content, and the text each widget shows where no widget can be drawn."""
from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from stance import widgets
from stance.agreement import cohen_kappa, krippendorff_alpha
from stance.errors import InputError

STATEMENTS = pd.DataFrame({
    "id": ["a", "b", "c", "d", "e"],
    "text": ["We welcome NATO's support.", "NATO is a menace to peace.", "NATO met on Tuesday.",
             "The alliance, sadly, keeps provoking us.", "NATO's summit opens today, the alliance said."],
    "target": ["NATO"] * 5,
})


def test_import_stance_does_not_import_ipywidgets():
    code = "import sys, stance; sys.exit(1 if 'ipywidgets' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
    code = "import sys, stance.widgets; sys.exit(1 if 'ipywidgets' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0  # only when a widget is built


def test_answers_are_appended_durably_and_read_back(tmp_path, monkeypatch):
    path = widgets.answers_path(tmp_path / "answers", "ana", "stance")
    synced = []
    real_fsync = widgets.answers.os.fsync
    monkeypatch.setattr(widgets.answers.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    widgets.append_answer(path, student="ana", id="a", label="favor", text='He said "no, never".', target="NATO")
    assert len(synced) >= 2  # the file, and the folder of a new file
    widgets.append_answer(path, student="ana", id="b", label="unsure")
    widgets.append_answer(path, student="ana", id="a", label="against")
    assert len(synced) == 4  # one fsync per later answer
    log = widgets.read_answers(path)
    assert log.columns.tolist() == ["id", "text", "target", "stance", "student", "time"]
    assert log[["id", "stance"]].values.tolist() == [["a", "favor"], ["b", "unsure"], ["a", "against"]]
    assert log.loc[0, "text"] == 'He said "no, never".'  # quoted safely
    assert widgets.latest_answers(log).to_dict() == {"a": "against", "b": "unsure"}
    # the file reads as a worksheet too (collect_sheets' columns: id and the scheme)
    rater, labels = widgets.read_ratings(path)
    assert rater == "ana" and labels.to_dict() == {"a": "against", "b": None}


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_next_answer_starts_a_new_line(tmp_path):
    path = tmp_path / "bo_stance.csv"
    widgets.append_answer(path, student="bo", id="a", label="favor", time="t1")
    with open(path, "a", encoding="utf-8") as f:
        f.write("b,,,aga")  # the kernel died mid-write
    widgets.append_answer(path, student="bo", id="c", label="neutral", time="t3")
    log = widgets.read_answers(path, labels=["favor", "against", "neutral"])
    assert log[["id", "stance"]].values.tolist() == [["a", "favor"], ["c", "neutral"]]


def test_answer_file_errors_are_one_line(tmp_path):
    with pytest.raises(InputError, match="student name"):
        widgets.answers_path(tmp_path, "../etc/passwd")
    with pytest.raises(InputError, match="needs a label"):
        widgets.append_answer(tmp_path / "x.csv", student="a", id="1", label="")
    (tmp_path / "other.csv").write_text("id,tone\n1,hostile\n")
    with pytest.raises(InputError, match="is not a 'stance' answer file"):
        widgets.append_answer(tmp_path / "other.csv", student="a", id="1", label="favor")
    assert widgets.read_answers(tmp_path / "none.csv").empty


def test_resume_position():
    ids = ["a", "b", "c", "d"]
    assert widgets.resume_position(ids, {}) == 0
    assert widgets.resume_position(ids, {"a": "favor", "b": "favor", "c": "unsure"}) == 3
    assert widgets.resume_position(ids, {"a": "favor", "c": "favor"}) == 1  # the first gap
    assert widgets.resume_position(ids, dict.fromkeys(ids, "neutral")) == 4  # the end


def test_sheet_resumes_where_the_student_stopped(tmp_path):
    sheet = widgets.labelling_sheet(STATEMENTS, student="ana", folder=tmp_path)
    assert sheet.widget is not None and sheet.position == 0
    for label in ("favor", "against", "unsure"):
        sheet.answer(label)
    assert sheet.position == 3
    assert "Statement 4 of 5" in sheet.header.value
    again = widgets.labelling_sheet(STATEMENTS, student="ana", folder=tmp_path)  # a new kernel
    assert again.position == 3 and again.answers == {"a": "favor", "b": "against", "c": "unsure"}
    again.go(1)  # back to b, change the answer
    again.answer("neutral")
    assert again.position == 2
    assert widgets.latest_answers(widgets.read_answers(again.path)).to_dict()["b"] == "neutral"
    assert len(widgets.read_answers(again.path)) == 4  # nothing overwritten
    third = widgets.labelling_sheet(STATEMENTS, student="ana", folder=tmp_path)
    assert third.position == 3
    assert "3 of 5 statements answered" in repr(third) and "statement 4 of 5" in repr(third)


def test_sheet_end_shows_agreement_with_class_and_model(tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    pd.DataFrame({"id": list("abcde"), "stance": ["favor", "against", "neutral", "against", "neutral"],
                  "student": "x"}).to_csv(klass / "x.csv", index=False)
    pd.DataFrame({"id": list("abcde"), "stance": ["favor", "against", "neutral", "neutral", "favor"],
                  "student": "y"}).to_csv(klass / "y.csv", index=False)
    pd.DataFrame({"id": list("abc"), "tone": ["hostile"] * 3}).to_csv(klass / "tone_only.csv", index=False)
    model = ["favor", "against", "against", "against", "neutral"]
    sheet = widgets.labelling_sheet(STATEMENTS, student="ana", folder=klass, class_folder=klass, model=model)
    for label in ("favor", "against", "neutral", "favor", "unsure"):
        sheet.answer(label)
    assert sheet.done and "The end: 5 of 5" in sheet.header.value
    agree, divided = sheet.results()
    t = agree.set_index("measure")
    # the class majority is a, b, c (d and e are ties); ana agrees on all three
    assert t.loc["same label as the class majority", "value"] == 1.0
    assert t.loc["same label as the class majority", "n"] == 3
    mine = pd.Series(["favor", "against", "neutral", "favor", None], index=list("abcde"))
    x = pd.Series(["favor", "against", "neutral", "against", "neutral"], index=list("abcde"))
    y = pd.Series(["favor", "against", "neutral", "neutral", "favor"], index=list("abcde"))
    expected = np.mean([cohen_kappa(mine[:4].tolist(), x[:4].tolist()), cohen_kappa(mine[:4].tolist(), y[:4].tolist())])
    assert t.loc["Cohen's kappa with each classmate (mean)", "value"] == pytest.approx(expected)
    assert t.loc["same label as the model", "value"] == pytest.approx(2 / 4)  # e is "unsure": left out
    assert t.loc["Krippendorff's alpha: the class", "value"] == pytest.approx(
        krippendorff_alpha(pd.DataFrame({"x": x, "y": y})))
    assert t.loc["Krippendorff's alpha: the class and you", "value"] == pytest.approx(
        krippendorff_alpha(pd.DataFrame({"x": x, "y": y, "you": mine})))
    # the most divided statement first: d (favor / against / neutral / against)
    assert divided["id"].iloc[0] == "d" and divided.columns.tolist()[-4:] == ["x", "y", "you", "model"]
    assert divided["disagreement"].is_monotonic_decreasing
    assert "x" in divided.columns and "ana" not in divided.columns  # the student's own file is not "the class"
    assert "The statements that divided you most" in sheet.summary.value
    assert "same label as the class majority" in sheet.summary.value


def test_class_ratings_reads_the_simulated_class_as_collect_sheets_does(root):
    from stance.classroom import collect_sheets

    for scheme in ("stance", "tone"):
        ratings = widgets.class_ratings(root / "data" / "classroom", scheme)
        students = ["student_1", "student_2", "student_3", "student_4"]
        assert ratings.columns.tolist() == students and len(ratings) == 20
        sheets = collect_sheets(root / "data" / "classroom", scheme).set_index("id")[students]
        for s in students:
            assert ratings[s].tolist() == [widgets.answers._rating(v) for v in sheets.loc[ratings.index, s]]
        assert ratings.notna().sum().sum() > 70  # a few blanks: statements a student skipped


def test_sheet_agreement_without_class_or_model_is_nan_not_an_error():
    t = widgets.sheet_agreement(pd.Series({"a": "favor"}), pd.DataFrame(index=["a"])).set_index("measure")
    assert t["value"].isna().all()


def test_explorer_labels_explains_and_remembers(clf):
    calls = []
    real = clf.classify

    class Counting:
        def __getattr__(self, name):
            return getattr(clf, name)

        def classify(self, *args, **kwargs):
            calls.append(1)
            return real(*args, **kwargs)

    ex = widgets.explorer(Counting(), scheme="stance", target="NATO")
    text = "NATO is a puppet of Washington stained with the blood of innocents."
    ex.text_box.value = text  # what typing does in the browser
    assert ex.result_["label"] == "against" and len(calls) == 1
    page = ex.out.value
    assert 'class="stance-label">against<' in page and page.count('class="stance-bar"') == 3
    assert '<div class="stance-explain">' in page and "puppet" in page
    expected = widgets.explore_statement(clf, text, "stance", "NATO")
    assert ex.result_["probabilities"] == pytest.approx(expected["probabilities"])
    assert sum(ex.result_["probabilities"].values()) == pytest.approx(1, abs=1e-4)
    start = time.perf_counter()
    ex.text_box.value = ""
    ex.text_box.value = text  # the same statement again: from memory
    assert len(calls) == 1 and time.perf_counter() - start < 0.05
    ex.scheme_box.value = "tone"
    assert ex.result_["scheme"] == "tone" and ex.target_box.disabled and len(calls) == 2


def test_explorer_shows_the_review_flag(clf):
    result = widgets.explore_statement(clf, "We will see what happens next week.", "stance", "NATO")
    assert isinstance(result["review"], bool)
    out = widgets.explore_statement(clf, "", "stance", "NATO")
    assert out["label"] is None and out["error"] == "type a statement"
    out = widgets.explore_statement(clf, "We support NATO.", "stance", None)
    assert out["label"] is None and "needs a target" in out["error"]
    flagged = widgets.explorer_html({**result, "label": "neutral", "review": True})
    assert "review" in flagged and "stance-review" in flagged
    rhetoric = widgets.explore_statement(clf, "They are liars and thieves.", "rhetoric")
    assert rhetoric["explanation"] == "" and set(rhetoric["probabilities"]) >= {"name_calling"}


def test_compare_view_and_widget(results):
    png, table, summary = widgets.compare_view(results, "tone", "source_type")
    from PIL import Image
    import io

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width >= 800
    assert table.equals(__import__("stance").compare(results, by="source_type", scheme="tone"))
    assert summary.endswith(table.attrs["test"]["note"])
    cw = widgets.compare_widget(results)
    assert cw.schemes == ["stance", "tone", "rhetoric"] and cw.groupings[0] == "source_type"
    first = cw.chart.value
    cw.scheme_box.value = "rhetoric"
    assert cw.chart.value != first and cw.table_["rhetoric"].nunique() > 3
    cw.by_box.value = "target"
    assert set(cw.table_["target"]) == set(results["target"].dropna())
    assert "<table" in cw.table_html.value
    with pytest.raises(InputError, match="is not among"):
        widgets.compare_widget(results, by="no_such_column")


def test_without_a_frontend_each_widget_shows_a_clear_message(clf, results, tmp_path):
    sheet = widgets.labelling_sheet(STATEMENTS, student="ana", folder=tmp_path)
    for w in (widgets.explorer(clf), sheet, widgets.compare_widget(results)):
        bundle = w._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle  # JupyterLab draws the widget
        assert "open this notebook in JupyterLab (`make lab`)" in bundle["text/plain"]  # nbclient shows this
        assert repr(w) == bundle["text/plain"]


def test_without_ipywidgets_the_widgets_are_text(tmp_path, results, monkeypatch):
    for part in (widgets.ui, widgets.sheet, widgets.compare_ui):  # every module that builds a widget
        monkeypatch.setattr(part, "_ipywidgets", lambda: None)
    sheet = widgets.labelling_sheet(STATEMENTS, student="ana", folder=tmp_path)
    sheet.answer("favor")  # the logic still works
    assert widgets.read_answers(sheet.path)["stance"].tolist() == ["favor"]
    for w in (sheet, widgets.compare_widget(results)):
        bundle = w._repr_mimebundle_()
        assert list(bundle) == ["text/plain"] and "pip install 'stance[lab]'" in bundle["text/plain"]


def test_notebook_output_is_the_message_when_run_headless(tmp_path):
    """In a kernel run by nbclient (no widget frontend), the cell's text output is the message."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import pandas as pd\nfrom stance.widgets import labelling_sheet\n"
        "labelling_sheet(pd.DataFrame({'text': ['We back NATO.'], 'target': ['NATO']}), student='ana', folder='ans')")]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["execute_result"]
    assert outputs[0].data["text/plain"].startswith("Labelling sheet (stance) for ana: 0 of 1 statements answered")
