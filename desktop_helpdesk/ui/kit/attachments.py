"""The attachments of one record (a ticket, a work-log entry, a contract, a customer), as a
box any form embeds: drop files in, paste a screenshot (Ctrl+V), add files (scanned minutes)
with a file dialog; thumbnails for pictures; open with the system's viewer, save as, remove
(marked, after a confirmation). Issue #16.

Everything that touches the database or the disk runs on the worker (the list and its
thumbnails, adding, opening, saving); the GUI thread only asks and shows. Before the record
exists (a new ticket) the files wait in the box and are attached when the form saves it
(`follow`). The size limit is the domain's rule with the desk's setting (`limit_mb`), checked
here before a file is read, and again by the service.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QEvent, QIODevice, QSize, Qt, QUrl
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QIcon, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ...domain import attachments as ad
from ...i18n import N_, _
from ...i18n.formatting import DISPLAY_ZONE, format_datetime, format_number
from ...services import attachments
from ...services.changes import ATTACHMENTS, changes
from ...services.dto import NewAttachment
from ...services.errors import ValidationFailed
from . import retranslate
from .errors import failure_message
from . import marks
from .worker import Jobs

log = logging.getLogger(__name__)

THUMB = 96


# -- work run on the worker --------------------------------------------------------------
def load_with_thumbnails(ctx, owner_kind: str, owner_id: int, size: int = THUMB):
    """The record's attachments and a thumbnail (a QImage: safe off the GUI thread) of each
    picture still in use."""
    rows = attachments.attachments_of(ctx, owner_kind, owner_id)
    thumbs = {}
    for row in rows:
        if ad.is_image(row.mime) and not row.removed:
            image = QImage.fromData(attachments.content(ctx, row.id)[1])
            if not image.isNull():
                thumbs[row.id] = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation)
    return rows, thumbs


@changes(ATTACHMENTS)
def upload(ctx, owner_kind: str, owner_id: int, paths: list[str], files: list[NewAttachment], limit: int,
           operator_id: int | None) -> None:
    """Attach files from disk and files in memory (a pasted screenshot). Returns nothing: the
    change it broadcasts names no one record."""
    if paths:
        attachments.add_files(ctx, owner_kind, owner_id, paths, limit, operator_id)
    for f in files:
        attachments.add_attachment(ctx, owner_kind, owner_id, f, limit, operator_id)


def write_copy(ctx, attachment_id: int, path: str | None = None) -> str:
    """Write an attachment's bytes to `path` (Save as), or to a new temporary folder under
    its own name (to open it with the system's viewer); the path written."""
    row, data = attachments.content(ctx, attachment_id)
    if path is None:
        folder = tempfile.mkdtemp(prefix="helpdesk-")
        path = os.path.join(folder, ad.clean_file_name(row.file_name) or "attachment")
    Path(path).write_bytes(data)
    return path


def image_png(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def error_text(error) -> str:
    """A rule's message in the user's language, its numbers written as the language writes them."""
    params = {k: format_number(value) if isinstance(value, (int, float)) else value for k, value in error.params}
    return _(error.message).format(**params) if params else _(error.message)


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return _("{n} KB").format(n=format_number(max(1, round(size / 1024))))
    return _("{n} MB").format(n=format_number(round(size / (1024 * 1024), 1)))


class AttachmentsBox(QGroupBox):
    """The attachments of one record of `owner_kind` (domain.attachments.OwnerKind)."""

    #: The desk's size limit of one file, in MB (settings.attachment_limit_mb; the shell sets it).
    limit_mb: int = ad.DEFAULT_LIMIT_MB

    def __init__(self, jobs: Jobs, owner_kind: str, operator_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.owner_kind = owner_kind
        self.operator_id = operator_id
        self.owner_id: int | None = None
        self.rows = []
        self.thumbs: dict[int, QImage] = {}
        #: Files waiting for the record to be saved: paths, and files in memory.
        self.pending_paths: list[str] = []
        self.pending_files: list[NewAttachment] = []
        # What the box asks the user and the system; tests put their own in place.
        self.ask_open_paths = self._ask_open_paths
        self.ask_save_path = self._ask_save_path
        self.confirm = self._confirm
        self.open_url = QDesktopServices.openUrl
        self.setAcceptDrops(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        # Room for a thumbnail, two lines of name and the size; a longer name is cut in the
        # middle (its tooltip has it whole).
        self.list.setGridSize(QSize(THUMB + 72, THUMB + 64))
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(THUMB + 72)
        self.list.setMaximumHeight(THUMB + 100)
        self.list.setAcceptDrops(False)  # the box takes drops
        self.list.itemActivated.connect(lambda *_: self.open_current())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.add_button, self.paste_button, self.open_button, self.save_button, self.remove_button = (
            QPushButton() for _i in range(5))
        self.add_button.clicked.connect(self.add_files)
        self.paste_button.clicked.connect(self.paste)
        self.open_button.clicked.connect(self.open_current)
        self.save_button.clicked.connect(self.save_current)
        self.remove_button.clicked.connect(self.remove_current)
        self.show_removed = QCheckBox()
        self.show_removed.toggled.connect(lambda *_: self._fill())
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (self.add_button, self.paste_button, self.open_button, self.save_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.hint, 1)
        top.addWidget(self.show_removed, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        # Ctrl+V (or Shift+Insert) in the list pastes a screenshot; in a form's text box it
        # pastes text as before.
        self.list.installEventFilter(self)
        jobs.changed.connect(self._changed)
        self.retranslate()
        self._update_buttons()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.list and event.type() == QEvent.Type.KeyPress \
                and event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
            return True
        return super().eventFilter(watched, event)

    # -- the record ----------------------------------------------------------------------
    def set_owner(self, owner_id: int | None) -> None:
        """Show the attachments of this record; files waiting for it are attached now."""
        self.owner_id = owner_id or None
        if self.owner_id is not None and (self.pending_paths or self.pending_files):
            paths, files = self.pending_paths, self.pending_files
            self.pending_paths, self.pending_files = [], []
            self._upload(paths, files)
        self.reload()

    def follow(self, dialog) -> None:
        """Attach the waiting files to the record `dialog` (a FormDialog) saves."""
        dialog.saved.connect(lambda record_id: self.set_owner(record_id) if record_id else None)

    def reload(self) -> None:
        if self.owner_id is None:
            self._fill()
            return
        self.jobs.submit(load_with_thumbnails, self.owner_kind, self.owner_id, on_done=self._loaded,
                         on_error=self._load_failed, owner=self, key="attachments")

    def _loaded(self, result) -> None:
        self.rows, self.thumbs = result
        self._fill()

    def _load_failed(self, exc: BaseException) -> None:
        self.show_status(failure_message(N_("The attachments could not be read."), exc, log))

    def _changed(self, change) -> None:
        if change.touches(ATTACHMENTS) and self.owner_id is not None:
            self.reload()

    # -- showing -------------------------------------------------------------------------
    def visible_rows(self):
        return [r for r in self.rows if self.show_removed.isChecked() or not r.removed]

    def _fill(self) -> None:
        current = self.current_id()
        self.list.clear()
        icon_provider = self.style()
        file_icon = icon_provider.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for row in self.visible_rows():
            thumb = self.thumbs.get(row.id)
            icon = QIcon(QPixmap.fromImage(thumb)) if thumb is not None else file_icon
            name = _("{name} (removed)").format(name=row.file_name) if row.removed else row.file_name
            item = QListWidgetItem(icon, f"{name}\n{size_text(row.size)}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            tip = [row.file_name, _("Added by {who} on {when}").format(who=row.added_by or "—",
                                                                         when=format_datetime(row.added_at))]
            if row.note:
                tip.append(row.note)
            if row.removed:
                tip.append(_("Removed by {who} on {when}").format(who=row.removed_by or "—",
                                                                   when=format_datetime(row.removed_at)))
                item.setForeground(QBrush(QColor(marks.SUPERSEDED)))  # removed: greyed, and said in the tooltip
            item.setToolTip("\n".join(tip))
            self.list.addItem(item)
            if row.id == current:
                self.list.setCurrentItem(item)
        for f in [*(NewAttachment(Path(p).name, b"") for p in self.pending_paths), *self.pending_files]:
            icon = file_icon
            if ad.is_image(f.mime):  # a pasted screenshot, decoded once here (no query)
                image = QImage.fromData(f.data)
                if not image.isNull():
                    icon = QIcon(QPixmap.fromImage(image.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                                                Qt.TransformationMode.SmoothTransformation)))
            item = QListWidgetItem(icon, _("{name} (attached when saved)").format(name=f.file_name))
            self.list.addItem(item)
        self._update_buttons()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def current_row(self):
        found = self.current_id()
        return next((r for r in self.rows if r.id == found), None)

    def _update_buttons(self) -> None:
        row = self.current_row()
        for b in (self.open_button, self.save_button):
            b.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None and not row.removed)

    def show_status(self, text: str, error: bool = True) -> None:
        marks.set_style(self.status, (lambda: marks.ERROR_STYLE) if error else None)
        self.status.setText(text)
        self.status.setVisible(bool(text))

    # -- adding ----------------------------------------------------------------------------
    def limit(self) -> int:
        return ad.limit_bytes(self.limit_mb)

    def add_paths(self, paths: list[str]) -> None:
        """Attach files from disk: those the rules refuse are named in the box, the others go."""
        good, refused = [], []
        for path in paths:
            if not os.path.isfile(path):
                continue
            name = ad.clean_file_name(Path(path).name)
            err = ad.validate_file_name(Path(path).name) or ad.validate_size(name, os.path.getsize(path), self.limit())
            (refused if err is not None else good).append(err or path)
        self.show_status(" ".join(error_text(e) for e in refused))
        if good:
            self._add(good, [])

    def add_image(self, image: QImage) -> None:
        stamp = self.jobs.now().astimezone(DISPLAY_ZONE).strftime("%Y-%m-%d %H.%M.%S")
        data = image_png(image)
        new = NewAttachment(_("Screenshot {time}.png").format(time=stamp), data, "image/png")
        err = ad.validate_size(new.file_name, len(data), self.limit())
        self.show_status(error_text(err) if err is not None else "")
        if err is None:
            self._add([], [new])

    def _add(self, paths: list[str], files: list[NewAttachment]) -> None:
        if self.owner_id is None:
            self.pending_paths.extend(paths)
            self.pending_files.extend(files)
            self._fill()
            return
        self._upload(paths, files)

    def _upload(self, paths: list[str], files: list[NewAttachment]) -> None:
        self.jobs.submit(upload, self.owner_kind, self.owner_id, paths, files, self.limit(), self.operator_id,
                         on_done=lambda _n: None, on_error=self._add_failed)

    def _add_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationFailed):
            self.show_status(" ".join(error_text(e) for e in exc.errors))
        else:
            self.show_status(failure_message(N_("The file could not be attached."), exc, log))

    def add_files(self) -> None:
        paths = self.ask_open_paths()
        if paths:
            self.add_paths(paths)

    def paste(self) -> None:
        self._take(QApplication.clipboard().mimeData())

    def _take(self, mime) -> bool:
        if mime is None:
            return False
        local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
        if local:
            self.add_paths(local)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.add_image(image)
                return True
        self.show_status(_("The clipboard holds no picture or file."))
        return False

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        mime = event.mimeData()
        if mime.hasImage() or (mime.hasUrls() and any(u.isLocalFile() for u in mime.urls())):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._take(event.mimeData()):
            event.acceptProposedAction()

    # -- open, save as, remove -----------------------------------------------------------
    def open_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        self.jobs.submit(write_copy, row.id, on_done=lambda path: self.open_url(QUrl.fromLocalFile(path)),
                         on_error=lambda exc: self.show_status(
                             failure_message(N_("The file could not be opened."), exc, log)))

    def save_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        path = self.ask_save_path(row.file_name)
        if not path:
            return
        self.jobs.submit(write_copy, row.id, path,
                         on_done=lambda written: self.show_status(_("Saved to {path}.").format(path=written), False),
                         on_error=lambda exc: self.show_status(
                             failure_message(N_("The file could not be saved."), exc, log)))

    def remove_current(self) -> None:
        row = self.current_row()
        if row is None or row.removed:
            return
        if not self.confirm(_("Remove “{name}”? It stays stored as evidence, marked as removed, and leaves the "
                              "list.").format(name=row.file_name)):
            return
        self.jobs.submit(attachments.remove_attachment, row.id, self.operator_id,
                         on_done=lambda _id: self.show_status(""), on_error=self._add_failed)

    # -- asking ----------------------------------------------------------------------------
    def _ask_open_paths(self) -> list[str]:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Add files"))
        return paths

    def _ask_save_path(self, name: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(self, _("Save attachment as"), name)
        return path

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, _("Remove attachment"), text)
        return answer == QMessageBox.StandardButton.Yes

    def retranslate(self) -> None:
        self.setTitle(_("Attachments"))
        self.hint.setText(_("Drop files here, paste a screenshot (Ctrl+V) or add files. At most {limit} MB each.")
                          .format(limit=format_number(ad.limit_bytes(self.limit_mb) // ad.MB)))
        self.add_button.setText(_("Add files…"))
        self.paste_button.setText(_("Paste picture"))
        self.open_button.setText(_("Open"))
        self.save_button.setText(_("Save as…"))
        self.remove_button.setText(_("Remove…"))
        self.show_removed.setText(_("Show removed"))
        self._fill()

