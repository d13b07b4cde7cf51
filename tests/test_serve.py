"""`jixiao serve`: the real server on a free loopback port, driven by a real headless Chromium.

The browser tests use Debian's chromium and chromedriver through selenium (no browser download) and
skip where they are missing; CI installs them (.ci/run). Screenshots of the three pages go to
$JIXIAO_TEST_ARTIFACTS, by default bench/out/test-artifacts/serve/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.index.store import SCHEMA_VERSION, Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ARTIFACTS = Path(os.environ.get("JIXIAO_TEST_ARTIFACTS") or ROOT / "bench" / "out" / "test-artifacts" / "serve")
runner = CliRunner()

# A hostile corpus: texts from outside that would run script if a page pasted them in as HTML.
PWN_SCRIPT = "<script>document.body.setAttribute('data-pwned','1');window.__pwned=1</script>"
PWN_IMG = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','2');window.__pwned=2\">"
PWN_LINK = "<a href=\"javascript:window.__pwned=3\" id=\"jslink\">点此</a>"
HOSTILE_NAME = f"恶意项目{PWN_SCRIPT}"
HOSTILE_UNIT = "上海市测试区<b>单位</b>"


def _hostile_forms(path: Path):
    """The first tracking form of the examples with markup planted in its name, unit, goal and an
    indicator. The parser strips some tags from cells, so the form is stored as built here, the way a
    reader of another format (or a later parser) might hand it over."""
    from jixiao.forms import parse_file

    text = (EXAMPLES / "minhang_2024_tracking.txt").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    form = parse_file(path).forms[0]
    form.project_name = HOSTILE_NAME
    form.unit = HOSTILE_UNIT
    form.goal.expected = f"为贯彻落实{PWN_IMG}{PWN_LINK}有关文件的精神" + (form.goal.expected or "")
    form.goal.actual = f"{PWN_SCRIPT}" + (form.goal.actual or "")
    form.indicators[1].name = f"培训班开展班次{PWN_SCRIPT}"
    return [form]


def _next_year_form(path: Path):
    """办公经费补贴 filed again for 2025: one target raised, one indicator dropped, the goal reworded,
    so its project page has two forms side by side with changes to highlight."""
    from jixiao.forms import parse_file

    path.write_text((EXAMPLES / "minhang_2024_tracking.txt").read_text(encoding="utf-8"), encoding="utf-8")
    form = parse_file(path).forms[0]
    form.year = 2025
    form.goal.expected = (form.goal.expected or "").replace("开设各类课程", "开设各类课程和讲座")
    form.indicators[1].target = form.indicators[1].target.model_copy(update={"raw": "=45.00(班次)", "number": 45.0})
    del form.indicators[3]
    return [form]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("serve")
    (d / "docs").mkdir()
    for p in EXAMPLES.glob("*.txt"):
        shutil.copy(p, d / "docs" / p.name)
    db = d / "c.db"
    res = runner.invoke(app, ["ingest", str(d / "docs"), "--db", str(db)])
    assert res.exit_code == 0, res.output
    hostile = d / "hostile_2024_tracking.txt"
    forms = _hostile_forms(hostile)
    with Store(db) as s:
        s.replace_file(str(hostile), "0" * 64, hostile.stat().st_size, "utf-8", forms, [])
        again = d / "minhang_2025_tracking.txt"
        s.replace_file(str(again), "1" * 64, 1, "utf-8", _next_year_form(again), [])
    res = runner.invoke(app, ["index", "--db", str(db)])
    assert res.exit_code == 0, res.output
    with Store(db) as s:
        assert s.conn.execute("SELECT count(*) FROM forms WHERE project_name = ?", (HOSTILE_NAME,)).fetchone()[0] == 1
    return db


def _get(url: str, headers: dict | None = None, data: bytes | None = None, method: str | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def start(db: Path, *args: str, env: dict | None = None, wait_ready: bool = True):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "serve", "--db", str(db), "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    headers = {"X-Jixiao-Token": args[args.index("--token") + 1]} if "--token" in args else {}
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {proc.stderr.read()}")
        try:
            status, _, body = _get(base + "/api/status", headers)
            if status == 200 and (not wait_ready or json.loads(body)["state"] in ("ready", "failed")):
                assert json.loads(body)["state"] == "ready" or not wait_ready, body
                return proc, base
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError("serve did not become ready")


def stop(proc) -> str:
    proc.terminate()
    try:
        _, errs = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, errs = proc.communicate()
    return errs


@pytest.fixture(scope="module")
def server(corpus):
    proc, base = start(corpus)
    yield base
    stop(proc)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe, driver_exe = shutil.which("chromium"), shutil.which("chromedriver")
    if not exe or not driver_exe:
        pytest.skip("chromium / chromedriver not installed: apt-get install chromium chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = exe
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=1400,1000", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(driver_exe), options=opts)
    drv.set_page_load_timeout(120)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield drv
    drv.quit()


def _wait(drv, css: str, timeout: float = 30):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(drv, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def _screenshot(drv, name: str) -> None:
    height = drv.execute_script("return Math.min(document.body.scrollHeight, 4000)")
    drv.set_window_size(1400, max(900, height))
    drv.save_screenshot(str(ARTIFACTS / name))
    drv.set_window_size(1400, 1000)


def _no_script_ran(drv) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        drv.switch_to.alert
        raise AssertionError("an alert was opened")
    except NoAlertPresentException:
        pass
    assert drv.execute_script("return document.body.getAttribute('data-pwned')") is None
    assert drv.execute_script("return window.__pwned === undefined")
    # Escaped, not merely blocked by the CSP: the only script is the app's, no element has an event handler.
    srcs = drv.execute_script("return Array.from(document.scripts).map(s => s.getAttribute('src'))")
    assert srcs == ["/static/app.js"], srcs
    assert drv.execute_script("return document.querySelectorAll('img, [onerror], [onload], #jslink').length") == 0
    hrefs = drv.execute_script("return Array.from(document.links).map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], hrefs


def test_browser_search_project_dismiss_reload_review(server, browser, corpus):
    from selenium.webdriver.common.by import By

    drv = browser
    drv.get(server + "/search")
    drv.find_element(By.ID, "q").send_keys("举办培训班的次数")
    drv.find_element(By.ID, "go").click()
    hits = _wait(drv, "#hits")
    assert "培训班开展班次" in hits.text
    assert "×" in drv.find_element(By.ID, "target-summary").text  # how the similar indicators' targets are written
    _screenshot(drv, "search.png")
    _no_script_ran(drv)

    # The first hit's project: its forms side by side, its findings, the similar projects.
    first = next(a for a in drv.find_elements(By.CSS_SELECTOR, "#hits a.project-link") if "恶意" not in a.text)
    name = first.text
    first.click()
    _wait(drv, "#project-name")
    assert drv.find_element(By.ID, "project-name").text == name
    assert drv.find_elements(By.CSS_SELECTOR, "#indicators tbody tr")
    # 2024 and 2025 side by side: the raised target, the reworded goal and the dropped row are marked.
    assert name == "办公经费补贴" and len(drv.find_elements(By.CSS_SELECTOR, "#indicators thead th")) == 4
    assert drv.find_element(By.CSS_SELECTOR, "#indicators td.changed").text.startswith("=45.00(班次)")
    assert drv.find_elements(By.CSS_SELECTOR, "#goals td.changed") and drv.find_elements(By.CSS_SELECTOR, "#indicators td.absent")
    assert drv.find_elements(By.CSS_SELECTOR, "#similar tbody tr")
    articles = drv.find_elements(By.CSS_SELECTOR, "#findings article.finding")
    assert articles, "the project has findings in the examples"
    fid = articles[0].get_attribute("data-id")
    assert articles[0].get_attribute("data-decision") == ""
    _screenshot(drv, "project.png")

    # Dismiss it with a note, as a named reviewer; reload: still dismissed (stored in the corpus).
    reviewer = drv.find_element(By.ID, "reviewer")
    reviewer.send_keys("张审核")
    drv.execute_script("arguments[0].dispatchEvent(new Event('change'))", reviewer)
    art = drv.find_element(By.ID, f"f-{fid}")
    art.find_element(By.CSS_SELECTOR, ".note").send_keys("已核实，属正常情况")
    art.find_element(By.CSS_SELECTOR, "button.dismiss").click()
    deadline = time.time() + 20
    while drv.find_element(By.ID, f"f-{fid}").get_attribute("data-decision") != "dismissed":
        assert time.time() < deadline, "the decision was not shown"
        time.sleep(0.2)
    drv.refresh()
    _wait(drv, "#project-name")
    art = drv.find_element(By.ID, f"f-{fid}")
    assert art.get_attribute("data-decision") == "dismissed"
    assert art.find_element(By.CSS_SELECTOR, ".decision").text == "已驳回"
    with Store(corpus) as s:
        row = s.decision_rows()[fid]
    assert (row["decision"], row["note"], row["reviewer"]) == ("dismissed", "已核实，属正常情况", "张审核")

    # The queue, filtered to dismissed findings, shows it; screenshot of the whole queue.
    drv.get(server + "/queue?decision=dismissed")
    _wait(drv, "#queue")
    assert drv.find_elements(By.ID, f"f-{fid}")
    drv.get(server + "/queue")
    _wait(drv, "#queue")
    assert len(drv.find_elements(By.CSS_SELECTOR, "#queue > li")) > 3
    _screenshot(drv, "queue.png")
    _no_script_ran(drv)

    # `jixiao review --db` reads the decision from the corpus.
    res = runner.invoke(app, ["review", "--db", str(corpus), "--format", "json"])
    assert res.exit_code == 0, res.output
    flags = {f["id"]: f for f in json.loads(res.stdout)["flags"]}
    assert flags[fid]["decision"] == "dismissed"


def test_hostile_corpus_renders_as_text(server, browser):
    from selenium.webdriver.common.by import By

    drv = browser
    drv.get(server + "/project?" + urlencode({"name": HOSTILE_NAME, "unit": HOSTILE_UNIT}))
    _wait(drv, "#project-name")
    assert drv.find_element(By.ID, "project-name").text == HOSTILE_NAME  # shown as the text it is
    goals = drv.find_element(By.ID, "goals").text
    assert PWN_IMG in goals and PWN_LINK in goals
    assert PWN_SCRIPT in drv.find_element(By.ID, "indicators").text
    _no_script_ran(drv)
    _screenshot(drv, "hostile-project.png")
    for url in ("/search?" + urlencode({"q": "恶意项目 script", "kind": "project"}),
                "/search?" + urlencode({"q": "培训班开展班次", "unit": HOSTILE_UNIT}),
                "/search?" + urlencode({"q": "贯彻落实文件精神", "kind": "goal"}),
                "/queue?" + urlencode({"unit": HOSTILE_UNIT}),
                "/project?" + urlencode({"name": PWN_IMG})):  # the error page echoes the name
        drv.get(server + url)
        _no_script_ran(drv)
    drv.get(server + "/search?" + urlencode({"q": "培训班开展班次", "unit": HOSTILE_UNIT}))
    assert HOSTILE_NAME in drv.find_element(By.ID, "hits").text
    _no_script_ran(drv)


def test_api_errors_are_json_4xx(server):
    cases = [("/api/search?q=", 400, "empty query"), ("/api/search?q=x&kind=table", 400, "kind"),
             ("/api/search?q=x&year=abc", 400, "year"), ("/api/search?q=x&unit=nowhere", 400, "unit"),
             ("/api/project?name=nothing-like-this", 404, "no project"), ("/api/project", 400, "name"),
             ("/api/findings?severity=grave", 400, "severity"), ("/api/findings?decision=maybe", 400, "decision"),
             ("/api/nothing", 404, "Not Found"), ("/export.pdf", 404, "xlsx")]
    for path, code, words in cases:
        status, headers, body = _get(server + path)
        assert status == code, (path, status, body)
        data = json.loads(body)
        assert data["status"] == code and words.lower() in data["error"].lower(), (path, data)


def test_api_search_project_findings(server):
    status, _, body = _get(server + "/api/search?" + urlencode({"q": "举办培训班的次数", "n": 3}))
    out = json.loads(body)
    assert status == 200 and len(out["hits"]) == 3 and out["target_summary"]
    assert out["hits"][0]["project_url"].startswith("/project?name=")
    status, _, body = _get(server + out["hits"][0]["project_url"].replace("/project", "/api/project"))
    p = json.loads(body)
    assert status == 200 and p["forms"] and p["indicators"] and "similar" in p
    status, _, body = _get(server + "/api/findings?size=5")
    q = json.loads(body)
    assert status == 200 and len(q["projects"]) == 5
    risks = [x["risk"] for x in q["projects"]]
    assert risks == sorted(risks, reverse=True)


def test_posts_need_same_origin_and_csrf_or_the_api_token(server, corpus):
    status, _, body = _get(server + "/api/findings?size=1")
    fid = json.loads(body)["projects"][0]["findings"][0]["id"]
    one = json.dumps({"id": fid, "decision": "accepted"}).encode()
    js = {"Content-Type": "application/json"}
    # Cross-site (another Origin), and same-origin without the page's CSRF token: refused.
    assert _get(server + "/api/decisions", {**js, "Origin": "http://evil.example"}, one, "POST")[0] == 403
    assert _get(server + "/api/decisions", {**js, "Origin": server}, one, "POST")[0] == 403
    # The page's session cookie and CSRF token, same origin: accepted.
    status, headers, page = _get(server + "/queue")
    cookie = headers["set-cookie"].split(";")[0]
    csrf = page.decode().split('name="csrf-token" content="')[1].split('"')[0]
    ok = {**js, "Origin": server, "Cookie": cookie, "X-CSRF-Token": csrf}
    status, _, body = _get(server + "/api/decisions", ok, one, "POST")
    assert status == 200, body
    assert _get(server + "/api/decisions", {**ok, "Origin": "http://evil.example"}, one, "POST")[0] == 403
    assert _get(server + "/api/decisions", {**ok, "X-CSRF-Token": "0" * 32}, one, "POST")[0] == 403
    # Bad decisions: 4xx with a message, nothing written.
    for bad, code in (({"id": fid, "decision": "maybe"}, 400), ({"id": "nosuchid", "decision": "accepted"}, 404),
                      ({"decision": "accepted"}, 400), ([], 400)):
        status, _, body = _get(server + "/api/decisions", ok, json.dumps(bad).encode(), "POST")
        assert status == code and json.loads(body)["error"], (bad, status, body)
    status, _, body = _get(server + "/api/decisions", ok, b"{not json", "POST")
    assert status == 400
    # A whole group at once, in one transaction; its members follow (review/worklist.py).
    status, _, body = _get(server + "/api/findings?size=200")
    groups = [g for p in json.loads(body)["projects"] for g in p["groups"]]
    assert groups
    g = groups[0]
    status, _, body = _get(server + "/api/decisions", ok, json.dumps({"decisions": [
        {"id": g["id"], "decision": "dismissed", "note": "同一问题", "reviewer": "李"}]}).encode(), "POST")
    assert status == 200, body
    status, _, body = _get(server + "/api/findings?decision=dismissed&size=500")
    dismissed = {f["id"] for p in json.loads(body)["projects"] for f in p["findings"]}
    with Store(corpus) as s:
        own = s.decisions()
    assert {m for m in g["members"] if m not in own} <= dismissed
    # Withdraw, so other tests see the review as it was.
    _get(server + "/api/decisions", ok, json.dumps([{"id": fid, "decision": None}, {"id": g["id"], "decision": None}]).encode(), "POST")
    with Store(corpus) as s:
        assert fid not in s.decisions() and g["id"] not in s.decisions()


def test_exports(server, tmp_path):
    for fmt, magic in (("xlsx", b"PK"), ("md", b"#"), ("json", b"{")):
        status, headers, body = _get(server + f"/export.{fmt}?severity=high")
        assert status == 200 and body.startswith(magic), (fmt, status, body[:200])
    status, _, body = _get(server + "/export.json?severity=high")
    rep = json.loads(body)
    assert rep["flags"] and {f["severity"] for f in rep["flags"]} == {"high"}
    assert rep["summary"]["findings"] == len(rep["flags"])
    # The parser's warnings travel with the export, as in `jixiao review --db … --out X.json`.
    warned = {(w["file"], w["line"], w["message"]) for w in rep["parse_warnings"]}
    res = runner.invoke(app, ["review", str(EXAMPLES), "--out", str(tmp_path / "cli.json")])
    cli = json.loads((tmp_path / "cli.json").read_text(encoding="utf-8"))["parse_warnings"]
    assert res.exit_code == 0 and warned and {(Path(w["file"]).name, w["line"], w["message"]) for w in cli} == \
        {(Path(f).name, line, m) for f, line, m in warned}
    unit = rep["parse_warnings"][0]["unit"]
    status, _, body = _get(server + "/export.json?" + urlencode({"unit": unit}))
    assert status == 200 and {w["unit"] for w in json.loads(body)["parse_warnings"]} == {unit}
    status, _, body = _get(server + "/export.md")
    assert status == 200 and "解析提示" in body.decode("utf-8")


def test_public_host_needs_a_token(corpus, monkeypatch):
    monkeypatch.delenv("JIXIAO_TOKEN", raising=False)
    res = runner.invoke(app, ["serve", "--db", str(corpus), "--host", "0.0.0.0", "--port", str(free_port())])
    assert res.exit_code == 2 and "--token" in res.output and "Refusing" in res.output
    env = {k: v for k, v in os.environ.items() if k != "JIXIAO_TOKEN"}
    proc, base = start(corpus, "--host", "0.0.0.0", "--token", "s3cret-t0ken", env=env, wait_ready=False)
    try:
        status, _, body = _get(base + "/api/status")
        assert status == 401 and "token" in json.loads(body)["error"]
        assert _get(base + "/search")[0] == 401
        assert _get(base + "/static/app.js")[0] == 401
        assert _get(base + "/api/status", {"X-Jixiao-Token": "wrong"})[0] == 401
        assert _get(base + "/api/status", {"X-Jixiao-Token": "s3cret-t0ken"})[0] == 200
        assert _get(base + "/api/status", {"Authorization": "Bearer s3cret-t0ken"})[0] == 200
        # Opened once with ?token=…, the browser keeps it in a cookie and the URL loses it.
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(base + "/search?token=s3cret-t0ken&q=x", timeout=30)
            raise AssertionError("expected a redirect")
        except urllib.error.HTTPError as e:
            assert e.code == 303 and e.headers["location"] == "/search?q=x"
            assert "jixiao_token=" in e.headers["set-cookie"]
    finally:
        stop(proc)


def test_decisions_table_survives_reingest_and_file_wins(tmp_path):
    db = tmp_path / "c.db"
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)]).exit_code == 0
    res = runner.invoke(app, ["review", "--db", str(db), "--only", "goal.*", "--format", "json"])
    ids = [f["id"] for f in json.loads(res.stdout)["flags"]][:2]
    assert len(ids) == 2
    with Store(db) as s:
        assert s.get_meta("schema_version") == str(SCHEMA_VERSION)
        s.put_decisions([{"id": ids[0], "decision": "dismissed", "note": "n", "reviewer": "r"},
                         {"id": ids[1], "decision": "accepted"}])
        # A re-ingest (the file changed: its forms are replaced) leaves decisions alone.
        (tmp_path / "docs").mkdir()
        for p in EXAMPLES.glob("*.txt"):
            (tmp_path / "docs" / p.name).write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(tmp_path / "docs"), "--db", str(db)]).exit_code == 0
    decisions_file = tmp_path / "d.json"
    decisions_file.write_text(json.dumps({ids[1]: "dismissed"}), encoding="utf-8")
    res = runner.invoke(app, ["review", "--db", str(db), "--only", "goal.*", "--format", "json",
                              "--decisions", str(decisions_file)])
    flags = {f["id"]: f["decision"] for f in json.loads(res.stdout)["flags"]}
    assert flags[ids[0]] == "dismissed"  # from the corpus
    assert flags[ids[1]] == "dismissed"  # the file wins over the corpus's "accepted"


def test_older_corpus_gains_the_decisions_table(tmp_path):
    db = tmp_path / "old.db"
    with Store(db, create=True) as s:
        s.conn.execute("DROP TABLE decisions")
        s.set_meta("schema_version", "3")
    with Store(db) as s:
        assert s.get_meta("schema_version") == str(SCHEMA_VERSION) == "4"
        s.put_decisions([{"id": "abc", "decision": "accepted"}])
        assert s.decisions() == {"abc": "accepted"}
        with pytest.raises(Exception):
            s.put_decisions([{"id": "ok", "decision": "accepted"}, {"id": "bad", "decision": "maybe"}])
        assert s.decisions() == {"abc": "accepted"}  # one transaction: nothing of the failed batch
