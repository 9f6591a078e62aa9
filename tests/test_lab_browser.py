"""JupyterLab as a user sees it: every notebook opened and run from the menu in headless Chromium.

One JupyterLab server (``jupyter/lab.py``: no browser, a free localhost port, a token, the
project's offline config) serves a temporary copy of ``notebooks/`` for the whole module;
Playwright for Python drives Debian's ``chromium``. For each notebook: open it from the file
browser, Run > Run All Cells, wait until the kernel is idle and every cell has run; then no
error output (read from the saved notebook), at least one chart in a notebook that draws
charts, every ``<img>`` loaded, no cell still running, and a screenshot (under the pytest
temp folder; the path is printed at the end of the run). The widgets are tested in the same
run: type a statement into the explorer and see its label; click through three statements of
the labelling sheet, reload the page, restart the kernel, and find the three answers in the
CSV and the sheet at the fourth. At the end: no request left localhost.

Outside CI (``CI`` unset) the browser tests are skipped, with the reason, when chromium or
Playwright is missing; in CI that is a failure. ``make lab`` is tested without a browser.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
NOTEBOOK_TIMEOUT = 600  # seconds per notebook, as nbclient's per-cell timeout in test_notebooks.py
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# notebook 05's labelling sheet (its STUDENT and folder)
SHEET_NOTEBOOK, SHEET_ANSWERS = "05_classroom_exercise.ipynb", Path("answers") / "student_5_stance.csv"

pytestmark = pytest.mark.slow


def draws_charts(path: Path) -> bool:
    """Whether a notebook should show a chart: one of its code cells calls a plot function."""
    nb = nbformat.read(path, as_version=4)
    return any(re.search(r"\bplot(\.|_)\w*\(|\bplt\.", c.source) for c in nb.cells if c.cell_type == "code")


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI: make test installs it)")
    pytest.skip(f"{reason}; required when CI is set")


def browser() -> str:
    """Debian's chromium and Playwright for Python, or a skip (outside CI) / failure (CI) naming what is missing."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        _unavailable("chromium is not installed (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    return exe


def launcher():
    """``free_port`` and ``lab_environment`` of jupyter/lab.py, the script make lab runs."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("stance_jupyter_lab", ROOT / "jupyter" / "lab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.free_port, module.lab_environment


def http_status(url: str, timeout: float = 5) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def wait_http_200(url: str, seconds: float, proc: subprocess.Popen | None = None) -> float:
    """Seconds until ``url`` answers 200 (fails after ``seconds``, or when ``proc`` ends)."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if http_status(url, timeout=2) == 200:
            return time.perf_counter() - start
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.25)
    return float("inf")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started in its own process group (SIGTERM: it shuts its kernels down)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class Lab:
    """One JupyterLab page, driven like a user would, and what it asked the network for."""

    def __init__(self, page, base: str, token: str, folder: Path, shots: Path):
        self.page, self.base, self.token, self.folder, self.shots = page, base, token, folder, shots
        self.urls: list[str] = []
        self.timings: dict[str, float] = {}

    # --- the page ------------------------------------------------------------
    def open_lab(self) -> None:
        self.page.goto(f"{self.base}/lab?reset&token={self.token}")
        self.wait_ready()

    def wait_ready(self) -> None:
        # the file browser is listed and the kernel specs are known (the launcher shows the Python kernel)
        self.page.wait_for_selector(".jp-DirListing-item", timeout=120_000)
        self.page.wait_for_selector(".jp-LauncherCard[title*='Python 3'], .jp-NotebookPanel", timeout=120_000)

    @property
    def panel(self):
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def menu(self, top: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}(…|\\.\\.\\.)?$")).first.click()

    def accept_dialog(self, timeout: float = 10_000) -> None:
        button = self.page.locator(".jp-Dialog .jp-mod-accept")
        button.wait_for(timeout=timeout)
        button.click()
        self.page.locator(".jp-Dialog").wait_for(state="detached", timeout=timeout)

    def open_notebook(self, name: str) -> None:
        """Open a notebook from the file browser (a double click) and wait for its kernel."""
        self.page.locator(f".jp-DirListing-item[title*='{name}']").first.dblclick()
        self.page.wait_for_selector(f"#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current:has-text('{name}')",
                                    timeout=60_000)
        self.wait_kernel()

    def wait_kernel(self, timeout: float = 180) -> None:
        """Wait until the current notebook shows its cells and an idle Python kernel (choosing the
        notebook's own kernel if JupyterLab asks)."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.page.locator(".jp-Dialog", has_text="Select Kernel").count():
                self.accept_dialog()  # "Select": the preferred kernel, the notebook's own (python3)
            ready = self.panel.locator(".jp-Cell").count() > 0 and self.page.locator(
                ".jp-StatusBar-TextItem", has_text=re.compile(r"Python 3.*\| Idle")).count() > 0
            if ready:
                return
            time.sleep(0.3)
        raise AssertionError(f"no idle kernel after {timeout:.0f} s")

    def prompts(self) -> list[str]:
        # textContent, not innerText: cells out of view are not rendered (content-visibility)
        return self.panel.locator(".jp-CodeCell .jp-InputArea-prompt").evaluate_all(
            "els => els.map(e => e.textContent)")

    def wait_all_run(self, timeout: float) -> float:
        """Wait until every code cell has an execution number and the kernel is idle; the seconds taken."""
        start = time.perf_counter()
        steady = 0
        while time.perf_counter() - start < timeout:
            prompts = [p.strip() for p in self.prompts()]
            idle = self.panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count() == 1
            done = prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
            steady = steady + 1 if (idle and done) else 0
            if steady >= 3:  # idle and complete over a second
                return time.perf_counter() - start
            time.sleep(0.4)
        raise AssertionError(f"cells still running after {timeout:.0f} s: prompts {self.prompts()}")

    def run_all(self, restart: bool = False, timeout: float = NOTEBOOK_TIMEOUT) -> float:
        """Clear the outputs, then Run > Run All Cells (or Kernel > Restart Kernel and Run All Cells)."""
        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell "
            ".jp-InputArea-prompt')).every(p => !/\\d/.test(p.textContent))", timeout=30_000)
        if restart:
            self.menu("Kernel", "Restart Kernel and Run All Cells")
            self.accept_dialog()
        else:
            self.menu("Run", "Run All Cells")
        return self.wait_all_run(timeout)

    def save(self) -> None:
        """File > Save Notebook, and wait until the notebook's tab is no longer marked unsaved."""
        self.menu("File", "Save Notebook")
        self.page.wait_for_selector("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current:not(.jp-mod-dirty)",
                                    timeout=30_000)

    def close_and_shut_down(self) -> None:
        """File > Close and Shut Down Notebook (its kernel stops: one kernel at a time)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.menu("File", "Close and Shut Down Notebook")
        try:
            self.accept_dialog(timeout=5_000)  # "Shut down the notebook?"
        except PlaywrightTimeout:
            pass  # closed without asking
        self.panel.wait_for(state="detached", timeout=30_000)

    def images(self) -> list[int]:
        """The naturalWidth of every image of the notebook's outputs, each scrolled into view and loaded."""
        return self.page.evaluate("""async () => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const imgs = Array.from(panel.querySelectorAll('.jp-OutputArea-output img'));
            for (const img of imgs) {
                img.scrollIntoView({block: 'center'});
                if (!img.complete) await new Promise(ok => { img.onload = img.onerror = ok; setTimeout(ok, 5000); });
            }
            return imgs.map(i => i.naturalWidth);
        }""")

    def screenshot(self, name: str, show=None) -> Path:
        """A screenshot with ``show`` (a locator), else the first chart (or the first output) in view."""
        images = self.panel.locator(".jp-OutputArea-output img")
        first = show if show is not None else images.first if images.count() else \
            self.panel.locator(".jp-OutputArea-output").first
        if first.count():
            whole = "(e.closest('.jp-Cell') || e)" if show is not None else "e"  # a widget with its cell
            first.evaluate(f"e => {whole}.scrollIntoView({{block: 'start'}})")
            self.page.wait_for_timeout(300)
        path = self.shots / f"{Path(name).stem}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory, request):
    """JupyterLab on a temporary copy of notebooks/, and a headless Chromium page on it, for the module."""
    exe = browser()
    from playwright.sync_api import sync_playwright

    work = tmp_path_factory.mktemp("lab")
    folder = work / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder)
    kernel_check = nbformat.v4.new_notebook()
    kernel_check.cells = [nbformat.v4.new_code_cell(
        "import json, os, sys\nimport matplotlib, stance\n"
        "print(json.dumps({'prefix': sys.prefix, 'stance': stance.__file__, 'backend': matplotlib.get_backend(), "
        "'offline': os.environ.get('HF_HUB_OFFLINE')}))")]
    kernel_check.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(kernel_check, folder / "kernel_check.ipynb")
    shots = tmp_path_factory.mktemp("lab-screenshots")
    free_port, lab_environment = launcher()
    env = lab_environment(os.environ)
    env.update(JUPYTER_CONFIG_DIR=str(work / "user-config"), JUPYTER_DATA_DIR=str(work / "user-data"),
               JUPYTER_RUNTIME_DIR=str(work / "runtime"), IPYTHONDIR=str(work / "ipython"),
               PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    port, token = free_port(0), secrets.token_hex(16)
    log = open(work / "jupyterlab.log", "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "jupyter" / "lab.py"), "--notebooks", str(folder),
                             "--port", str(port), "--token", token], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=work, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    pw = context = session = None
    try:
        waited = wait_http_200(f"{base}/lab?token={token}", 60, proc)
        assert waited < 60, "JupyterLab did not answer in 60 s:\n" + (work / "jupyterlab.log").read_text()[-3000:]
        pw = sync_playwright().start()
        context = pw.chromium.launch_persistent_context(
            str(work / "chromium-profile"), executable_path=exe, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000})
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(60_000)
        session = Lab(page, base, token, folder, shots)
        context.on("request", lambda r: session.urls.append(r.url))
        page.on("websocket", lambda ws: session.urls.append(ws.url))
        page.on("dialog", lambda d: d.accept())  # "leave the page?" on reload
        session.open_lab()
        yield session
    finally:
        if context is not None:
            context.close()
        if pw is not None:
            pw.stop()
        stop(proc)
        log.close()
        timings = ", ".join(f"{Path(k).stem} {v:.0f} s" for k, v in (session.timings if session else {}).items())
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():  # printed in CI's log, not captured
                reporter.write_line(f"\nJupyterLab screenshots: {shots}"
                                    + (f" (run times: {timings})" if timings else ""))


def test_the_kernel_is_this_environment_offline_with_inline_charts(lab):
    lab.open_notebook("kernel_check.ipynb")
    lab.run_all()
    lab.save()
    lab.close_and_shut_down()
    nb = nbformat.read(lab.folder / "kernel_check.ipynb", as_version=4)
    seen = json.loads("".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream"))
    assert Path(seen["prefix"]).resolve() == Path(sys.prefix).resolve()  # the project's venv
    assert Path(seen["stance"]).resolve().is_relative_to(ROOT)  # this checkout's library
    assert "inline" in seen["backend"]  # charts are shown (MPLBACKEND=Agg is not passed on)
    assert seen["offline"] == "1"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_clean_in_jupyterlab(lab, path, request):
    name = path.name
    lab.open_notebook(name)
    seconds = lab.run_all()
    lab.timings[name] = seconds
    assert not any("*" in p for p in lab.prompts()), "a cell is still running"
    widths = lab.images()
    if draws_charts(path):
        assert len(widths) >= 1, f"{name} draws charts but shows no image"
    assert all(w > 0 for w in widths), f"{name}: image(s) not loaded: natural widths {widths}"
    shot = lab.screenshot(name)
    assert shot.stat().st_size > 20_000
    lab.save()
    nb = nbformat.read(lab.folder / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [f"{o.ename}: {o.evalue}" for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{name}: {errors}"
    assert all(c.execution_count for c in code), "a cell did not run"
    lab.close_and_shut_down()


def widget(lab, css: str):
    box = lab.panel.locator(css).first
    box.wait_for(timeout=60_000)
    box.scroll_into_view_if_needed()
    return box


def test_explorer_labels_a_typed_statement(lab, clf):
    from stance.widgets import explore_statement

    text = "NATO is a puppet of Washington, stained with the blood of innocent people."
    expected = explore_statement(clf, text, "stance", "NATO")
    lab.open_notebook(SHEET_NOTEBOOK)
    lab.run_all()
    ex = widget(lab, ".stance-explorer-widget")
    ex.locator("textarea").fill(text)
    ex.locator("select").select_option("stance")
    ex.locator("input[type='text']").fill("NATO")
    ex.locator(".stance-explorer-run").click()
    out = ex.locator(".stance-explorer-out")
    out.locator(".stance-explain", has_text="puppet").wait_for(timeout=60_000)  # the typed statement, explained
    out.locator(":text('toward NATO')").first.wait_for(timeout=10_000)
    assert out.locator(".stance-label").inner_text() == expected["label"]
    assert out.locator(".stance-bar").count() == 3
    lab.screenshot("explorer", ex)


def test_labelling_sheet_keeps_every_answer_across_a_reload_and_a_restart(lab):
    from playwright.sync_api import expect

    answers = lab.folder / SHEET_ANSWERS
    if answers.exists():
        answers.unlink()
    if not lab.panel.count():
        lab.open_notebook(SHEET_NOTEBOOK)
    lab.run_all(restart=True)
    sheet = widget(lab, ".stance-sheet-widget")
    position = sheet.locator(".stance-sheet-position")
    assert position.get_attribute("data-position") == "1"
    clicked = []
    for n, label in enumerate(("against", "unsure", "favor"), start=1):
        sid = sheet.locator(".stance-sheet-text").get_attribute("data-id")
        sheet.locator(".stance-sheet-label", has_text=re.compile(f"^{label}$")).click()
        expect(position).to_have_attribute("data-position", str(n + 1), timeout=30_000)  # the next statement
        clicked.append((sid, label))
    assert position.get_attribute("data-position") == "4"
    saved = pd_read(answers)
    assert list(zip(saved["id"], saved["stance"])) == clicked  # on disk at once, before any reload

    lab.page.reload()  # the tab closed and opened again
    lab.wait_ready()
    if not lab.panel.count():
        lab.open_notebook(SHEET_NOTEBOOK)
    lab.panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
    lab.run_all(restart=True)  # and the kernel restarted: the sheet is built again from the CSV
    sheet = widget(lab, ".stance-sheet-widget")
    assert sheet.locator(".stance-sheet-position").get_attribute("data-position") == "4"
    assert "Statement 4 of 20" in sheet.locator(".stance-sheet-position").text_content()
    assert list(zip(pd_read(answers)["id"], pd_read(answers)["stance"])) == clicked  # nothing lost, nothing added
    lab.screenshot("labelling_sheet", sheet)
    lab.save()
    lab.close_and_shut_down()


def pd_read(path: Path):
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_page_asked_nothing_outside_localhost(lab):
    assert len(lab.urls) > 50  # the page, its scripts, the API, the kernels' websockets
    outside = sorted({u for u in lab.urls if urlparse(u).scheme not in ("data", "blob", "about")
                      and urlparse(u).hostname not in LOCAL_HOSTS})
    assert not outside, f"requests outside localhost: {outside[:10]}"


def test_make_lab_prints_a_url_that_answers_within_30_s(tmp_path):
    """make lab (install already done) starts JupyterLab offline and prints its URL; it answers HTTP 200."""
    make = shutil.which("make")
    if make is None:
        _unavailable("make is not installed")
    free_port, lab_environment = launcher()
    env = lab_environment(os.environ)
    env.update(JUPYTER_CONFIG_DIR=str(tmp_path / "user-config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    start = time.perf_counter()
    proc = subprocess.Popen([make, "--no-print-directory", "-o", ".venv/.installed", "lab",
                             f"LAB_PORT={free_port(0)}"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", line)
        assert found, f"make lab printed no URL first: {line!r}"
        base, token = found.groups()
        waited = wait_http_200(found.group(0), 30 - (time.perf_counter() - start), proc)
        assert waited < 30, f"no HTTP 200 from {base} within 30 s of make lab"
        # offline: no news, no update check, a read-only extension manager, the announcements plugin off
        with urllib.request.urlopen(f"{base}/lab/api/news?token={token}", timeout=10) as r:
            assert json.load(r) == {"news": []}
        with urllib.request.urlopen(f"{base}/lab/api/update?token={token}", timeout=10) as r:
            assert json.load(r) == {"notification": None}
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as r:
            page = r.read().decode()
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S).group(1))
        assert config["extensionManager"]["name"] == "read-only" and not config["extensionManager"]["can_install"]
        assert config["news"] == {"disabled": True}
        assert "@jupyterlab/apputils-extension:announcements" in config["disabledExtensions"]
        print(f"make lab: HTTP 200 after {time.perf_counter() - start:.1f} s")
    finally:
        stop(proc)
