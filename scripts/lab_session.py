"""A real JupyterLab, driven by headless Chromium through selenium: what an analyst sees and waits for.

Used by ``scripts/bench_lab.py`` (``make bench-lab``) and ``tests/integration/test_lab.py``. Nothing
here times a Python call: every figure is read in the browser, from the drop-down's ``change``
event to the last change of the page's outputs.

- :class:`LabServer` starts ``jupyter lab`` from the venv on a temporary folder, with a random token
  on a free port of 127.0.0.1, user settings and runtime files of its own (the analyst's
  ``~/.jupyter`` is neither read nor written), and JupyterLab's documented testing switch
  ``--LabApp.expose_app_in_browser`` (``window.jupyterapp``, through which the page asks the
  public application API to run all cells, save, and whether the kernel is idle).
- :class:`LabBrowser` opens a notebook, runs it, changes a drop-down of the filter bar and measures
  (:meth:`LabBrowser.change`), saves, and reads the outputs' text.

How a change is measured: a ``MutationObserver`` watches the notebook's widget outputs (the
ipywidgets ``Output`` views: the table and every chart; the bar's own status line is left out). The
drop-down's ``change`` event is caught in the capture phase, before the widget sees it: that is
time zero. Each mutation of an output marks the time of the next animation frame after it (the
frame that paints it), and an ``<img>`` added marks the time its picture is decoded. When nothing
has changed for ``settle_ms``, the last mark is the time the analyst waited for everything; the
last mark inside the first output (the table) is the time for the table.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
JUPYTER = VENV / "bin" / "jupyter"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def browser_missing() -> str | None:
    """Why a browser run cannot happen here (None when it can)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return (
            "headless Chromium not found (/usr/bin/chromium and /usr/bin/chromedriver); "
            "install with: apt-get install chromium chromium-driver"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e .[dev])"
    if not JUPYTER.exists():
        return f"{JUPYTER} not found (make setup)"
    return None


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``jupyter lab`` on ``root`` (a temporary folder by default) until :meth:`stop`.

    Use as a context manager. ``notebooks``: files copied into ``root`` before the start.
    """

    def __init__(self, root: Path | None = None, *, notebooks=(), timeout: float = 90, env=None):
        self._own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="ppw-lab-"))
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.timeout = timeout
        #: Extra environment for the server and its kernels (e.g. PYTHONPATH of another tree).
        self.extra_env = dict(env or {})
        self.proc: subprocess.Popen | None = None
        self.log_path = self.root / ".lab.log"
        for nb in notebooks:
            shutil.copy(nb, self.root / Path(nb).name)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}"

    def start(self) -> LabServer:
        private = self.root / ".jupyter"
        env = dict(os.environ)
        env.update(
            JUPYTERLAB_SETTINGS_DIR=str(private / "lab-user-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(private / "lab-workspaces"),
            JUPYTER_RUNTIME_DIR=str(private / "runtime"),
            JUPYTER_CONFIG_DIR=str(private / "config"),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        env.update(self.extra_env)
        # no "Would you like to get notified about official Jupyter news?" over the outputs
        news = private / "lab-user-settings" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True, exist_ok=True)
        (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}\n')
        cmd = [
            str(JUPYTER), "lab", "--no-browser",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]  # fmt: skip
        if os.geteuid() == 0:  # containers and CI run as root; JupyterLab refuses without this
            cmd.append("--allow-root")
        self._log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop)
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({self.proc.returncode}):\n{self.log()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as r,
            ):
                if r.status == 200:
                    return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer in {self.timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server and its kernels (the process group it was started in)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def chromium(profile_dir: Path, *, width: int = 1400, height: int = 1000):
    """A headless Chromium driven by selenium (the caller quits it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--disable-renderer-backgrounding",
        "--disable-background-timer-throttling",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(300)
    return driver


@dataclass
class Change:
    """One drop-down change as the browser saw it (milliseconds from the ``change`` event)."""

    kind: str
    dropdown: str
    label: str
    table_ms: float
    all_ms: float
    mutations: int
    #: Milliseconds to the first paint of any output, and to the last of each output (by index).
    first_ms: float = 0.0
    outputs_ms: dict | None = None


# The observer: time zero at the drop-down's change event (capture phase), marks at the paint
# after each mutation of a widget output and at each added image's decode. Kept on window.__ppw.
_OBSERVE_JS = r"""
const root = arguments[0];
if (window.__ppw) { window.__ppw.observer.disconnect(); }
const st = {t0: null, first: null, last: null, tableLast: null, count: 0, pending: 0,
            observer: null, byOutput: {}};
window.__ppw = st;
const outputs = () => Array.from(root.querySelectorAll('.widget-output'));
const mark = (inTable, index) => {
  const t = performance.now();
  st.last = Math.max(st.last || 0, t);
  if (st.first === null) st.first = t;
  if (inTable) st.tableLast = Math.max(st.tableLast || 0, t);
  st.byOutput[index] = Math.max(st.byOutput[index] || 0, t);
};
st.observer = new MutationObserver((records) => {
  if (st.t0 === null) return;
  const all = outputs();
  for (const r of records) {
    const target = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    const out = target && target.closest('.widget-output');
    if (!out) continue;
    const index = all.indexOf(out);
    const inTable = index === 0;
    st.count += 1;
    requestAnimationFrame(() => setTimeout(() => mark(inTable, index), 0));
    for (const n of r.addedNodes) {
      const imgs = n.nodeType === 1 ? (n.tagName === 'IMG' ? [n] : n.querySelectorAll('img')) : [];
      for (const img of imgs) {
        st.pending += 1;
        img.decode().catch(() => null).then(() => { mark(inTable, index); st.pending -= 1; });
      }
    }
  }
});
st.observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
document.addEventListener('change', () => {
  if (st.armed) { st.t0 = performance.now(); st.first = null; st.last = null; st.tableLast = null;
                  st.count = 0; st.byOutput = {}; st.armed = false; }
}, true);
"""


# The notebook panel of the path in window.__ppwPath (set by LabBrowser.open), found among the
# main area's widgets: the shell's currentWidget follows the focus, which headless windows lack.
_PRELUDE = (
    "const __PANEL__ = () => Array.from(window.jupyterapp.shell.widgets('main'))"
    ".find(w => w.context && w.context.path === window.__ppwPath);\n"
)


class LabBrowser:
    """One notebook of a :class:`LabServer` open in headless Chromium."""

    def __init__(self, server: LabServer, driver):
        self.server = server
        self.driver = driver

    # ---- the application -------------------------------------------------------------------
    def js(self, script: str, *args):
        """Run ``script`` in the page; ``__PANEL__()`` in it is the open notebook's panel."""
        return self.driver.execute_script(_PRELUDE + script, *args)

    def js_async(self, script: str, *args):
        """Run ``script`` (its last argument is ``done``: call it with the result)."""
        return self.driver.execute_async_script(_PRELUDE + script, *args)

    def command(self, name: str, args: dict | None = None):
        """Run a JupyterLab command (``notebook:run-all-cells``, ``docmanager:save``…) to its end."""
        return self.js_async(
            "const done = arguments[arguments.length - 1];"
            "window.jupyterapp.commands.execute(arguments[0], arguments[1] || {})"
            ".then(() => done('ok'), (e) => done('error: ' + e));",
            name,
            args or {},
        )

    def wait_for(self, script: str, timeout: float = 60, what: str = "", *args):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                value = self.js(script, *args)
                if value:
                    return value
            time.sleep(0.1)
        raise TimeoutError(f"waited {timeout:.0f} s for {what or script}")

    def open(self, name: str, timeout: float = 120) -> None:
        """Open notebook ``name`` and wait until its kernel is idle."""
        self.driver.get(self.server.notebook_url(name))
        self.path = name
        self.wait_for("return !!window.jupyterapp", timeout, "JupyterLab to load")
        self.js("window.__ppwPath = arguments[0];", name)
        self.wait_for(
            "const w = __PANEL__();"
            "return !!(w && w.context && w.context.path === arguments[0] && w.content"
            " && w.content.widgets.length && w.sessionContext.session"
            " && w.sessionContext.session.kernel"
            " && w.sessionContext.session.kernel.status === 'idle');",
            timeout,
            f"{name} open with an idle kernel",
            name,
        )
        # commands (run all, save) act on the current widget: make it this notebook
        self.js("window.jupyterapp.shell.activateById(__PANEL__().id);")

    def kernel_status(self) -> str:
        return self.js(
            "const w = __PANEL__();"
            "const k = w.sessionContext.session && w.sessionContext.session.kernel;"
            "return k ? k.status : 'none';"
        )

    def run_all(self, timeout: float = 300) -> float:
        """Run every cell; return the seconds until the last one finished."""
        t0 = time.perf_counter()
        self.driver.set_script_timeout(timeout)
        result = self.command("notebook:run-all-cells")
        if result != "ok":
            raise RuntimeError(f"run all: {result}")
        self.wait_for(
            "const w = __PANEL__();"
            "return w.sessionContext.session.kernel.status === 'idle'"
            " && !w.content.widgets.some(c => c.model.type === 'code'"
            "      && c.promptNode && c.promptNode.textContent.includes('*'));",
            timeout,
            "every cell to finish",
        )
        return time.perf_counter() - t0

    def errors(self) -> list[str]:
        """Error outputs of the notebook's cells and widget errors (their text)."""
        return self.js(
            "const w = __PANEL__(); const out = [];"
            "for (const n of w.content.node.querySelectorAll("
            '\'.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"], '
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]\')) '
            "{ if (/Error|Traceback/.test(n.textContent)) out.push(n.textContent.slice(0, 400)); }"
            "for (const n of w.content.node.querySelectorAll('.jp-OutputArea-output')) {"
            " if (/Error displaying widget|model not found/.test(n.textContent))"
            "   out.push(n.textContent.slice(0, 200)); }"
            "return out;"
        )

    def widget_errors(self) -> list[str]:
        """Outputs reading "Error displaying widget" (e.g. "model not found")."""
        return [e for e in self.errors() if "widget" in e or "model not found" in e]

    def output_text(self, index: int = 0) -> str:
        """The text of the ``index``-th widget output (0: the Performance Information table).

        Its text nodes joined by spaces (the cells of a table stay apart), styles and scripts left
        out. Not ``innerText``: JupyterLab lays out cells off screen lazily
        (``content-visibility``), and the ``innerText`` of an output not laid out is empty.
        """
        return self.js(
            "const w = __PANEL__();"
            "const o = w.content.node.querySelectorAll('.widget-output')[arguments[0]];"
            "if (!o) return '';"
            "const walk = document.createTreeWalker(o, NodeFilter.SHOW_TEXT); const parts = [];"
            "for (let n = walk.nextNode(); n; n = walk.nextNode()) {"
            "  const tag = n.parentElement ? n.parentElement.tagName : '';"
            "  if (tag !== 'STYLE' && tag !== 'SCRIPT') parts.push(n.nodeValue); }"
            "return parts.join(' ').replace(/\\s+/g, ' ').trim();",
            index,
        )

    def widget_outputs(self) -> int:
        return self.js("return __PANEL__().content.node.querySelectorAll('.widget-output').length;")

    def save(self) -> None:
        """Save the notebook as File → Save does (the document's context: the widget manager adds
        the widgets' state when set to, on the context's ``saveState`` signal)."""
        result = self.js_async(
            "const done = arguments[arguments.length - 1];"
            "__PANEL__().context.save().then(() => done('ok'), (e) => done('error: ' + e));"
        )
        if result != "ok":
            raise RuntimeError(f"save: {result}")
        self.wait_for("return !__PANEL__().context.model.dirty;", 30, "the save")

    def close_all(self) -> None:
        self.command("application:close-all")

    def shutdown_kernels(self) -> None:
        self.js_async(
            "const done = arguments[arguments.length - 1];"
            "window.jupyterapp.serviceManager.sessions.shutdownAll().then(() => done(1), () => done(0));"
        )

    # ---- the filter bar --------------------------------------------------------------------
    def options(self, dropdown: str) -> list[str]:
        """The labels of the bar's drop-down ``dropdown`` ("Geography", "Period", "Month")."""
        return [o.text for o in self._select(dropdown).options]

    def selected(self, dropdown: str) -> str:
        return self._select(dropdown).first_selected_option.text

    def _select(self, dropdown: str):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        for box in self.driver.find_elements(By.CSS_SELECTOR, ".widget-dropdown"):
            labels = box.find_elements(By.CSS_SELECTOR, "label")
            if labels and labels[0].text.strip() == dropdown:
                return Select(box.find_element(By.CSS_SELECTOR, "select"))
        raise LookupError(f"no drop-down labelled {dropdown!r} on the page")

    def observe(self) -> None:
        """Install the outputs' observer (again after each open)."""
        root = self.js("return __PANEL__().content.node;")
        self.js(_OBSERVE_JS, root)

    def change(
        self,
        dropdown: str,
        label: str,
        *,
        kind: str = "",
        settle_ms: float = 1500,
        timeout: float = 60,
    ) -> Change:
        """Pick ``label`` in ``dropdown`` as an analyst would; wait until the outputs settle.

        Returns the milliseconds from the change event to the last paint of the table and of every
        output (see the module's docstring). Raises ``TimeoutError`` if nothing changes.
        """
        select = self._select(dropdown)
        self.js("window.__ppw.armed = true;")
        select.select_by_visible_text(label)
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            time.sleep(0.05)
            state = self.js(
                "const s = window.__ppw; return {t0: s.t0, first: s.first, last: s.last,"
                " table: s.tableLast, count: s.count, pending: s.pending, by: s.byOutput,"
                " now: performance.now()};"
            )
            if state["t0"] is None or state["last"] is None or state["pending"]:
                continue
            if state["now"] - state["last"] >= settle_ms:
                break
        else:
            raise TimeoutError(f"{dropdown} → {label}: outputs did not settle ({state})")
        table = state["table"] if state["table"] is not None else state["last"]
        return Change(
            kind=kind or dropdown.lower(),
            dropdown=dropdown,
            label=label,
            table_ms=round(table - state["t0"], 1),
            all_ms=round(state["last"] - state["t0"], 1),
            mutations=state["count"],
            first_ms=round(state["first"] - state["t0"], 1),
            outputs_ms={int(k): round(v - state["t0"]) for k, v in (state["by"] or {}).items()},
        )


def notebook_widget_state(path: Path) -> dict:
    """The widget state a saved notebook carries (``metadata.widgets``), {} if none."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return (
        nb.get("metadata", {})
        .get("widgets", {})
        .get("application/vnd.jupyter.widget-state+json", {})
    )


if __name__ == "__main__":  # a smoke run: start, open area 6, run all, print the outputs' count
    missing = browser_missing()
    if missing:
        sys.exit(missing)
    with LabServer(notebooks=[ROOT / "notebooks" / "06_crime_prevention.ipynb"]) as lab:
        profile = Path(tempfile.mkdtemp(prefix="ppw-chromium-"))
        driver = chromium(profile)
        try:
            b = LabBrowser(lab, driver)
            b.open("06_crime_prevention.ipynb")
            print("run all", round(b.run_all(), 1), "s; outputs", b.widget_outputs())
            print(b.errors())
        finally:
            driver.quit()
            shutil.rmtree(profile, ignore_errors=True)
