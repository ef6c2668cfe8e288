"""A seeded monkey over the main window: random menu actions, keys, mouse gestures, resizes and dialog answers.

``Monkey(window, seed, folder).run(n)`` makes ``n`` random moves, each one of

- a menu action (any enabled entry of any menu but Quit; File ▸ Open Recent
  is filled first, as opening it does),
- a key of the window's key map (``MainWindow.key_uses``) in its context (the
  window, a panel with focus, the diagram), or a plain key into the focused field,
- a mouse gesture (click, right click, double click, drag, wheel, hover) at a
  random point of a dock panel, the diagram or the window,
- a resize, a dock shown, hidden or floated, presentation mode, a theme, the
  clipboard filled with a picture or text, a file dropped on the window, a
  short wait (training and autosave run).

Dialogs are answered at random (``monkey_dialogs``); the file dialogs answer
with files in ``folder``.  It fails (``MonkeyError``) on a Python exception
(``sys.excepthook``), a Python warning, or a Qt warning or critical message not in
``ALLOWED_QT_MESSAGES``; the message names the seed and the last ``LAST`` moves.
``run`` returns a ``MonkeyReport`` with the memory measured after a warm-up and
at the end (``check_memory`` holds the bound).
"""

from __future__ import annotations

import faulthandler
import gc
import os
import sys
import threading
import time
import traceback
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shiboken6
from monkey_dialogs import DialogAnswerer, FileAnswers
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMimeData,
    QObject,
    QPoint,
    QPointF,
    Qt,
    QtMsgType,
    QUrl,
    qInstallMessageHandler,
)
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage, QKeySequence, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QWidget

from neuroviz.ui.key_map import WINDOW, KeyUse, portable
from neuroviz.ui.main_window import MainWindow

LAST = 20
"""Moves named in a failure's message."""
HANG_SECONDS = 120
"""A run in which nothing moves for this long hangs (the process ends, naming the last moves)."""
ALLOWED_QT_MESSAGES: tuple[str, ...] = (
    # The offscreen platform cannot resize native windows to their size hints; every top-level window
    # (a floated dock, a dialog) prints it once.  Not a fault of the app (the same allow-list as pyproject's).
    "does not support propagateSizeHints",
    # The offscreen platform has no stacking of windows: raising a top-level window (the main window, a
    # floated dock brought forward) prints this; on a desktop it raises the window.
    "This plugin does not support raise()",
    # A popup (a menu, a combo box's list) grabs the keyboard and the mouse while open; the offscreen
    # platform has neither to grab.
    "This plugin does not support grabbing the keyboard",
    "This plugin does not support grabbing the mouse",
)
"""Qt warnings known to be harmless offscreen (each with the reason)."""
PLAIN_KEYS = (Qt.Key.Key_0, Qt.Key.Key_5, Qt.Key.Key_A, Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Return,
              Qt.Key.Key_Escape, Qt.Key.Key_Space, Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Up,
              Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown,
              Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Plus, Qt.Key.Key_Minus)
MODIFIERS = (Qt.KeyboardModifier.NoModifier,) * 4 + (Qt.KeyboardModifier.ShiftModifier,
                                                     Qt.KeyboardModifier.ControlModifier)
SIZES = ((1280, 720), (1024, 700), (1920, 1080), (800, 600), (1400, 900), (640, 480))


class MonkeyError(AssertionError):
    """A problem the monkey met, with the seed and the moves that led to it."""


@dataclass
class MemorySample:
    """Memory after ``actions`` moves: resident set (MiB), the timeline's own share (MiB), live widgets."""

    actions: int
    rss_mib: float
    timeline_mib: float
    widgets: int
    window_objects: int
    modules: int = 0
    """Python modules imported so far (the app imports some on first use: onnx, nbformat)."""
    kinds: Counter[str] = field(default_factory=Counter, repr=False)
    """Live widgets by class name."""

    def grown(self, before: MemorySample) -> dict[str, int]:
        """The widget classes of which more are alive now than ``before``, and how many more."""
        return dict((self.kinds - before.kinds).most_common(8))

    @property
    def other_mib(self) -> float:
        """Resident memory less the timeline, which may grow up to its budget by design."""
        return self.rss_mib - self.timeline_mib


@dataclass
class MonkeyReport:
    """What a run did: moves made, seconds, dialogs answered, and memory after the warm-up and at the end."""

    seed: int
    label: str
    actions: int
    seconds: float
    dialogs: int
    samples: list[MemorySample] = field(default_factory=list)

    def row(self) -> str:
        first, last = self.samples[0], self.samples[-1]
        rate = self.actions / self.seconds
        return (f"{self.label:16} {self.seed:>6} {self.actions:>7} {self.seconds:7.1f} {rate:7.0f} {self.dialogs:>7}"
                f" {first.other_mib:8.1f} {last.other_mib:8.1f} {first.widgets:>6} {last.widgets:>6}")

    def trend(self) -> str:
        """The memory (less the timeline) at each sample, to see whether it levels off."""
        return "MiB after " + ", ".join(f"{m.actions}: {m.other_mib:.1f}" for m in self.samples)

    HEADER = (f"{'example':16} {'seed':>6} {'actions':>7} {'seconds':>7} {'per s':>7} {'dialogs':>7} "
              f"{'MiB warm':>8} {'MiB end':>8} {'w warm':>6} {'w end':>6}")


def rss_mib() -> float:
    """This process's resident set size in MiB (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


class Monkey:
    """Random moves over ``window`` from ``seed``; files go to ``folder``."""

    def __init__(self, window: MainWindow, seed: int, folder: Path, label: str = "") -> None:
        self.window = window
        self.seed = seed
        self.label = label
        # One stream for the moves, one for the dialogs' answers, one for the file names: answers that come
        # sooner or later (timers) do not change the moves.
        self.rng, answers, files = (np.random.default_rng([seed, k]) for k in range(3))
        self.log: deque[str] = deque(maxlen=LAST)
        self.problems: list[str] = []
        self.index = 0
        self.files = FileAnswers(files, folder, self._note)
        self.answerer = DialogAnswerer(answers, self._note, self.problems.append)
        self._keys: list[KeyUse] = []
        self._running = False
        self._last_note = time.monotonic()
        self.moves: list[tuple[float, Callable[[], None]]] = [
            (22, self.menu_action), (22, self.key), (6, self.plain_key), (32, self.mouse), (2, self.resize),
            (3, self.dock), (1, self.presentation), (1, self.theme), (1, self.clipboard), (1, self.drop),
            (1, self.activate),
            (9, self.wait),
        ]

    # ------------------------------------------------------------------ running
    def run(self, actions: int, warm_up: int | None = None) -> MonkeyReport:
        """Make ``actions`` moves; memory is sampled after ``warm_up`` moves (a fifth by default), eight times
        more on the way and at the end."""
        warm_up = min(actions, max(50, actions // 5) if warm_up is None else warm_up)
        every = max(100, (actions - warm_up) // 8)
        weights = np.array([w for w, _ in self.moves])
        weights = weights / weights.sum()
        report = MonkeyReport(self.seed, self.label, actions, 0.0, 0)
        started = time.perf_counter()
        with self.watching():
            self._keys = [u for u in self.window.key_uses() if u.keys not in self._quit_keys()]
            for self.index in range(actions):
                if self.index >= warm_up and (self.index - warm_up) % every == 0:
                    report.samples.append(self.memory())
                dialog = DialogAnswerer.open_one()
                if dialog is not None:
                    self._note(f"#{self.index} answer the open {type(dialog).__name__}")
                    self.answerer.answer(dialog)
                else:
                    move = self.moves[int(self.rng.choice(len(self.moves), p=weights))][1]
                    try:
                        move()
                    except Exception:  # raised straight out of a call into the app: the same failure
                        self.problems.append("exception:\n" + traceback.format_exc())
                QApplication.processEvents()
                self.check()
            self.wait(200)
            self.check()
            report.samples.append(self.memory())
        if len(report.samples) == 1:
            report.samples.insert(0, report.samples[0])
        report.seconds = time.perf_counter() - started
        report.dialogs = self.answerer.answered
        return report

    def call(self, what: str, fn: Callable[[], object]) -> None:
        """``fn()`` (a start-up step that may open dialogs) watched and answered like a move."""
        with self.watching():
            self._note(f"#{self.index} {what}")
            fn()
            QApplication.processEvents()
            self.check()

    @contextmanager
    def watching(self) -> Iterator[None]:
        """While the monkey runs: exceptions, warnings and Qt messages are collected; dialogs are answered."""
        old_hook, old_show = sys.excepthook, warnings.showwarning

        def excepthook(kind: type[BaseException], value: BaseException, tb: object) -> None:
            self.problems.append("exception:\n" + "".join(traceback.format_exception(kind, value, tb)))  # type: ignore[arg-type]

        def showwarning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                        *args: object) -> None:
            self.problems.append(f"Python warning: {category.__name__}: {message} ({filename}:{lineno})")

        def qt_message(mode: QtMsgType, context: object, message: str) -> None:
            if mode in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) and not any(
                    allowed in message for allowed in ALLOWED_QT_MESSAGES):
                self.problems.append(f"Qt {mode.name}: {message}")
                if mode == QtMsgType.QtFatalMsg:  # Qt aborts next: say what happened first
                    print(self.failure_text(), file=sys.stderr, flush=True)

        patched = {"getOpenFileName": self.files.open_name, "getSaveFileName": self.files.save_name,
                   "getExistingDirectory": self.files.folder_name}
        saved = {name: QFileDialog.__dict__[name] for name in patched}
        sys.excepthook = excepthook
        old_handler = qInstallMessageHandler(qt_message)
        watchdog = threading.Thread(target=self._watch, name="monkey watchdog", daemon=True)
        self._running = True
        watchdog.start()
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = showwarning
            for name, answer in patched.items():
                setattr(QFileDialog, name, staticmethod(answer))
            self.answerer.timer.start()
            try:
                yield
            finally:
                self._running = False
                self.answerer.timer.stop()
                for name, original in saved.items():
                    setattr(QFileDialog, name, original)
                qInstallMessageHandler(old_handler)
                sys.excepthook = old_hook
                warnings.showwarning = old_show
                self.files.close()

    def _watch(self) -> None:
        """If nothing happens for ``HANG_SECONDS`` (a dialog nobody answers), say where and end the process:
        a test that hangs would never report."""
        while self._running:
            time.sleep(1.0)
            if self._running and time.monotonic() - self._last_note > HANG_SECONDS:
                self.problems.append(f"no move for {HANG_SECONDS} s: the window hangs")
                print(self.failure_text(), file=sys.stderr, flush=True)
                faulthandler.dump_traceback(all_threads=True)
                os._exit(3)

    def check(self) -> None:
        """Raise ``MonkeyError`` if anything went wrong so far."""
        if self.problems:
            raise MonkeyError(self.failure_text())

    def failure_text(self) -> str:
        moves = "\n".join(f"  {line}" for line in self.log)
        return (f"the monkey ({self.label}, seed {self.seed}) failed at move {self.index}:\n"
                + "\n".join(self.problems[:3])
                + f"\nthe last moves:\n{moves}\n"
                + f"replay: scripts/monkey --example {self.label} --seed {self.seed} --actions {self.index + 1}")

    def memory(self) -> MemorySample:
        """Memory now, after pending deletions and a garbage collection."""
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        history = self.window.model.time.history
        widgets = QApplication.allWidgets()
        return MemorySample(self.index, rss_mib(), history.memory_bytes / 2**20, len(widgets),
                            len(self.window.findChildren(QObject)), len(sys.modules),
                            Counter(type(w).__name__ for w in widgets))

    def _note(self, line: str) -> None:
        self.log.append(line)
        self._last_note = time.monotonic()

    def _pick(self, items: list) -> object:  # type: ignore[type-arg]
        return items[int(self.rng.integers(len(items)))]

    def _quit_keys(self) -> set[str]:
        return {portable(k) for k in self.window.quit_action.shortcuts()}

    # ------------------------------------------------------------------ moves
    def menu_action(self) -> None:
        """Trigger a random enabled entry of the menu bar's menus (not Quit)."""
        found: list[tuple[str, object]] = []

        def walk(menu: object, path: str) -> None:
            menu.aboutToShow.emit()  # type: ignore[attr-defined]  # fills menus made when shown (Open Recent)
            for action in menu.actions():  # type: ignore[attr-defined]
                if action.isSeparator() or not action.isEnabled() or not action.isVisible():
                    continue
                text = f"{path} ▸ {action.text().replace('&', '')}"
                if action.menu() is not None:
                    walk(action.menu(), text)
                elif action is not self.window.quit_action:
                    found.append((text, action))

        for top in self.window.menuBar().actions():
            if top.menu() is not None and top.isEnabled() and top.isVisible():
                walk(top.menu(), top.text().replace("&", ""))
        text, action = self._pick(found)  # type: ignore[misc]
        self._note(f"#{self.index} menu {text}")
        action.trigger()

    def key(self) -> None:
        """A key of the window's key map, pressed where it acts."""
        use: KeyUse = self._pick(self._keys)  # type: ignore[assignment]
        context = use.context
        if context == WINDOW:
            target = QApplication.focusWidget()
            if target is None or target.window() is not self.window:
                target = self.window
        elif context[-1] == "diagram":
            target = self.window.diagram
        else:
            panel = self.window.panels[context[-1]]
            focusable = [w for w in panel.findChildren(QWidget)
                         if w.focusPolicy() != Qt.FocusPolicy.NoFocus and w.isVisible()]
            target = self._pick(focusable) if focusable and self.rng.random() < 0.7 else panel
        target.setFocus()
        combination = QKeySequence(use.keys)[0]
        self._note(f"#{self.index} key {use.keys} ({use.command}) on {type(target).__name__}")
        QTest.keyClick(target, combination.key(), combination.keyboardModifiers())

    def plain_key(self) -> None:
        """A key that is in no map (a digit, an arrow, Tab …) into the field that has focus."""
        target = QApplication.focusWidget() or self.window
        key = PLAIN_KEYS[int(self.rng.integers(len(PLAIN_KEYS)))]
        modifiers = MODIFIERS[int(self.rng.integers(len(MODIFIERS)))]
        self._note(f"#{self.index} plain key {key.name}+{modifiers.name} on {type(target).__name__}")
        QTest.keyClick(target, key, modifiers)

    def _surfaces(self) -> list[tuple[str, QWidget]]:
        docks = [(name, dock.widget()) for name, dock in self.window.docks.items()
                 if dock.isVisible() and dock.widget() is not None]
        others = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not self.window
                  and not isinstance(w, QDockWidget)]
        return [*docks, *docks, ("diagram", self.window.diagram), ("window", self.window),
                *((type(w).__name__, w) for w in others)]

    def mouse(self) -> None:
        """A click, right click, double click, drag, wheel or hover at a random point of a panel."""
        name, surface = self._pick(self._surfaces())  # type: ignore[misc]
        width, height = surface.width(), surface.height()
        if width < 2 or height < 2:
            return

        def point() -> QPoint:
            return QPoint(int(self.rng.integers(width)), int(self.rng.integers(height)))

        start = point()
        target = surface.childAt(start) or surface
        local = target.mapFrom(surface, start) if target is not surface else start
        gesture = str(self.rng.choice(["click", "click", "click", "right", "double", "drag", "drag", "wheel",
                                       "hover"]))
        self._note(f"#{self.index} mouse {gesture} on {name} at ({start.x()}, {start.y()}) "
                   f"→ {type(target).__name__}#{target.objectName()}")
        left = Qt.MouseButton.LeftButton
        if gesture == "click":
            QTest.mouseClick(target, left, Qt.KeyboardModifier.NoModifier, local)
        elif gesture == "right":
            QTest.mouseClick(target, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, local)
        elif gesture == "double":
            QTest.mouseDClick(target, left, Qt.KeyboardModifier.NoModifier, local)
        elif gesture == "hover":
            QTest.mouseMove(target, local)
        elif gesture == "wheel":
            delta = int(self.rng.choice([-360, -120, -30, 30, 120, 360]))
            event = QWheelEvent(QPointF(local), QPointF(target.mapToGlobal(local)), QPoint(0, 0), QPoint(0, delta),
                                Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                                False)
            QApplication.sendEvent(target, event)
        else:
            QTest.mousePress(target, left, Qt.KeyboardModifier.NoModifier, local)
            for _ in range(int(self.rng.integers(1, 6))):
                if not shiboken6.isValid(target):
                    return
                QTest.mouseMove(target, target.mapFrom(surface, point()) if target is not surface else point())
            if shiboken6.isValid(target):
                QTest.mouseRelease(target, left, Qt.KeyboardModifier.NoModifier,
                                   target.mapFrom(surface, point()) if target is not surface else point())

    def resize(self) -> None:
        w, h = SIZES[int(self.rng.integers(len(SIZES)))]
        self._note(f"#{self.index} resize to {w}×{h}")
        self.window.resize(w, h)

    def dock(self) -> None:
        """Show or hide a dock panel (its View-menu toggle), or float or dock it."""
        name, dock = self._pick(list(self.window.docks.items()))  # type: ignore[misc]
        if self.rng.random() < 0.7:
            self._note(f"#{self.index} toggle {name}")
            dock.toggleViewAction().trigger()
        else:
            self._note(f"#{self.index} {'dock' if dock.isFloating() else 'float'} {name}")
            dock.setFloating(not dock.isFloating())

    def presentation(self) -> None:
        self._note(f"#{self.index} presentation {'off' if self.window.presentation_action.isChecked() else 'on'}")
        self.window.presentation_action.trigger()

    def theme(self) -> None:
        choice = str(self.rng.choice(list(self.window.theme_actions)))
        self._note(f"#{self.index} theme {choice}")
        self.window.theme_actions[choice].trigger()

    def clipboard(self) -> None:
        """Put a random picture (or text) on the clipboard, for Paste Image as Input."""
        board = QApplication.clipboard()
        if self.rng.random() < 0.7:
            w, h = (int(v) for v in self.rng.integers(1, 64, size=2))
            image = QImage(w, h, QImage.Format.Format_RGB32)
            image.fill(QColor(*(int(v) for v in self.rng.integers(0, 256, size=3))))
            self._note(f"#{self.index} clipboard: a {w}×{h} picture")
            board.setImage(image)
        else:
            self._note(f"#{self.index} clipboard: text")
            board.setText("not a picture")

    def drop(self) -> None:
        """Drop a file (one written before, a damaged one, a folder) on the window, as from a file manager."""
        path = self.files.open_name()[0] or str(self.files.out)
        self._note(f"#{self.index} drop {path!r} on the window")
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(path)])
        pos = QPoint(self.window.width() // 2, self.window.height() // 2)
        enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(self.window, enter)
        if enter.isAccepted():
            QApplication.sendEvent(self.window, QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime,
                                                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))

    def activate(self) -> None:
        self._note(f"#{self.index} activate the window")
        self.window.activateWindow()
        self.window.raise_()

    def wait(self, ms: int | None = None) -> None:
        """Let the event loop run (training, autosave, repaints) for a few milliseconds."""
        ms = int(self.rng.integers(1, 30)) if ms is None else ms
        self._note(f"#{self.index} wait {ms} ms")
        QTest.qWait(ms)


__all__ = ["ALLOWED_QT_MESSAGES", "MemorySample", "Monkey", "MonkeyError", "MonkeyReport", "rss_mib"]
