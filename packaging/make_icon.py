"""Draw the app icon (resources/icons/desktop-helpdesk.ico and .png) with Qt.

    QT_QPA_PLATFORM=offscreen python packaging/make_icon.py

A blue rounded square with a white speech bubble and a tick: a question answered. The .ico
holds 16, 20, 24, 32, 40, 48, 64 and 128 pixel images as 32-bit bitmaps (every Windows
and NSIS reads them) and the 256 pixel one as PNG (as Windows' own icons do). The files are
committed; run this only to change the drawing.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 256, size / 256)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1565c0"))
    p.drawRoundedRect(QRectF(8, 8, 240, 240), 44, 44)
    bubble = QPainterPath()
    bubble.addRoundedRect(QRectF(40, 52, 176, 124), 34, 34)
    tail = QPainterPath()
    tail.moveTo(78, 160)
    tail.lineTo(62, 212)
    tail.lineTo(124, 168)
    tail.closeSubpath()
    p.setBrush(QColor("white"))
    p.drawPath(bubble.united(tail))
    pen = QPen(QColor("#2e7d32"), 22 if size >= 32 else 28)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    tick = QPainterPath(QPointF(86, 116))
    tick.lineTo(116, 144)
    tick.lineTo(170, 88)
    p.drawPath(tick)
    p.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def dib_bytes(image: QImage) -> bytes:
    """An ICO entry as a bitmap: BITMAPINFOHEADER (height doubled for the mask), BGRA rows
    bottom-up, then the 1-bit AND mask (all zero: the alpha channel decides)."""
    w, h = image.width(), image.height()
    header = struct.pack("<IiiHHIIiiII", 40, w, h * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    rows = []
    for y in range(h - 1, -1, -1):
        row = bytearray()
        for x in range(w):
            c = image.pixelColor(x, y)
            row += bytes((c.blue(), c.green(), c.red(), c.alpha()))
        rows.append(bytes(row))
    mask_row = ((w + 31) // 32) * 4
    return header + b"".join(rows) + b"\0" * mask_row * h


def main() -> int:
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    entries = []
    for size in SIZES:
        image = draw(size)
        entries.append((size, png_bytes(image) if size == 256 else dib_bytes(image)))
    draw(256).save(str(OUT / "desktop-helpdesk.png"))
    offset = 6 + 16 * len(entries)
    directory, blobs = b"", b""
    for size, blob in entries:
        directory += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    (OUT / "desktop-helpdesk.ico").write_bytes(struct.pack("<HHH", 0, 1, len(entries)) + directory + blobs)
    print(f"wrote {OUT / 'desktop-helpdesk.ico'} and .png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
