"""Draw the demo pictures and the demo video of the service guides (bawaba/catalog/demo/media/).

Run from the project root: `.venv/bin/python bin/build_demo_media.py`. Needs Pillow; the video
also needs Debian's ffmpeg (`apt-get install ffmpeg`), and without it the video already committed
is kept. Every picture is a diagram with numbered marks and no words, so one picture serves the
three languages; the caption names each mark, and a yellow-and-black band along the top says the
picture is an illustration, not a photograph of a real document. Which service shows which
picture, with its text alternative and caption in each language, is written in media/media.json.
"""

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
MEDIA_DIR = ROOT / "bawaba" / "catalog" / "demo" / "media"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

INK = (27, 27, 27)
BRAND = (0, 90, 70)
PAPER = (255, 255, 255)
BACKGROUND = (238, 243, 240)
CARD = (214, 234, 223)
SOFT = (180, 200, 190)
MARK = (255, 191, 71)
ALERT = (179, 38, 30)
SIZE = (1200, 760)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(str(FONT), size) if FONT.exists() else ImageFont.load_default()


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    # The "illustration" band: yellow and black hazard stripes along the top edge.
    draw.rectangle([0, 0, SIZE[0], 28], fill=MARK)
    for x in range(-40, SIZE[0] + 40, 40):
        draw.polygon([(x, 0), (x + 20, 0), (x + 48, 28), (x + 28, 28)], fill=INK)
    return image, draw


def _callout(draw: ImageDraw.ImageDraw, centre: tuple[int, int], number: int) -> None:
    x, y = centre
    draw.ellipse([x - 30, y - 30, x + 30, y + 30], fill=MARK, outline=INK, width=4)
    draw.text((x, y), str(number), font=_font(34), fill=INK, anchor="mm")


def _lines(draw: ImageDraw.ImageDraw, left: int, top: int, widths: list[int], gap: int = 34) -> None:
    for index, width in enumerate(widths):
        y = top + index * gap
        draw.rounded_rectangle([left, y, left + width, y + 14], radius=7, fill=SOFT)


def _person(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], fill: tuple[int, int, int] = SOFT) -> None:
    left, top, right, bottom = box
    cx = (left + right) // 2
    head = (right - left) // 4
    draw.ellipse([cx - head, top + 30, cx + head, top + 30 + 2 * head], fill=fill)
    draw.pieslice([left + 20, top + 40 + 2 * head, right - 20, bottom + (bottom - top) // 2], 180, 360, fill=fill)


def card_front() -> Image.Image:
    image, draw = _canvas()
    card = (150, 110, 1050, 677)
    draw.rounded_rectangle(card, radius=36, fill=CARD, outline=BRAND, width=6)
    draw.rectangle([150, 150, 1050, 200], fill=BRAND)
    photo = (200, 240, 410, 520)
    draw.rounded_rectangle(photo, radius=10, fill=PAPER, outline=BRAND, width=4)
    _person(draw, photo)
    _lines(draw, 460, 250, [360, 300, 330, 260, 200])
    for index in range(12):
        x = 460 + index * 42
        draw.rounded_rectangle([x, 450, x + 34, 500], radius=6, fill=PAPER, outline=INK, width=3)
    draw.rounded_rectangle([200, 560, 300, 630], radius=10, fill=MARK, outline=INK, width=3)
    draw.line([250, 560, 250, 630], fill=INK, width=2)
    draw.line([200, 595, 300, 595], fill=INK, width=2)
    _lines(draw, 460, 570, [420, 300])
    _callout(draw, (118, 380), 1)
    _callout(draw, (880, 270), 2)
    _callout(draw, (1010, 475), 3)
    _callout(draw, (118, 595), 4)
    return image


def card_back() -> Image.Image:
    image, draw = _canvas()
    draw.rounded_rectangle((150, 110, 1050, 677), radius=36, fill=CARD, outline=BRAND, width=6)
    _lines(draw, 200, 170, [520, 460, 380, 420])
    draw.rectangle([200, 470, 1000, 640], fill=PAPER, outline=INK, width=3)
    font = _font(28)
    for row in range(3):
        text = ("ID<IRQ" if row == 0 else "") + "<" * (30 - (6 if row == 0 else 0))
        draw.text((225, 490 + row * 48), text, font=font, fill=INK)
    _callout(draw, (118, 230), 1)
    _callout(draw, (118, 555), 2)
    return image


def passport_photo() -> Image.Image:
    image, draw = _canvas()
    face = (120, 140, 130)
    frame = (200, 100, 540, 560)
    draw.rectangle(frame, fill=PAPER, outline=INK, width=4)
    _person(draw, (240, 130, 500, 540), fill=face)
    # Guide lines: the top of the head and the chin, and the face centred between them.
    for y in (160, 380):
        draw.line([210, y, 530, y], fill=ALERT, width=3)
    draw.line([370, 110, 370, 550], fill=ALERT, width=2)
    draw.line([570, 330, 610, 370, 690, 270], fill=BRAND, width=14)
    # Two refused photos, crossed out: a patterned background, and a head turned to one side.
    busy, turned = (740, 200, 920, 430), (960, 200, 1140, 430)
    draw.rectangle(busy, fill=(200, 170, 120), outline=INK, width=3)
    for x in range(busy[0], busy[2], 22):
        draw.line([x, busy[1], x + 22, busy[3]], fill=(150, 110, 60), width=4)
    _person(draw, busy, fill=face)
    draw.rectangle(turned, fill=PAPER, outline=INK, width=3)
    draw.ellipse([1000, 250, 1070, 320], fill=face)
    draw.ellipse([1055, 275, 1085, 295], fill=face)
    draw.pieslice([980, 330, 1120, 530], 180, 360, fill=face)
    for left, top, right, bottom in (busy, turned):
        draw.line([left, top, right, bottom], fill=ALERT, width=8)
        draw.line([left, bottom, right, top], fill=ALERT, width=8)
    draw.line([180, 480, 225, 480], fill=INK, width=3)
    _callout(draw, (150, 480), 1)
    _callout(draw, (150, 160), 2)
    _callout(draw, (150, 380), 3)
    _callout(draw, (940, 480), 4)
    return image


def eye_test() -> Image.Image:
    image, draw = _canvas()
    chart = (380, 70, 820, 700)
    draw.rectangle(chart, fill=PAPER, outline=INK, width=4)
    sizes = [120, 90, 66, 48, 34, 24]
    y = 100
    directions = ["right", "down", "left", "up", "right", "left", "down", "up", "right", "left", "up", "down"]
    turn = 0
    for row, size in enumerate(sizes):
        count = row + 1 if row < 4 else 5
        total = count * size + (count - 1) * size // 2
        x = 600 - total // 2
        for _ in range(count):
            _tumbling_e(draw, x, y, size, directions[turn % len(directions)])
            turn += 1
            x += size + size // 2
        y += size + 24
    _callout(draw, (330, 160), 1)
    _callout(draw, (870, 600), 2)
    return image


def _tumbling_e(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, direction: str) -> None:
    bar = max(2, size // 5)
    rectangles = {
        "right": [(0, 0, bar, size), (0, 0, size, bar), (0, 2 * bar, size, 3 * bar), (0, 4 * bar, size, size)],
        "left": [(size - bar, 0, size, size), (0, 0, size, bar), (0, 2 * bar, size, 3 * bar), (0, 4 * bar, size, size)],
        "down": [(0, 0, size, bar), (0, 0, bar, size), (2 * bar, 0, 3 * bar, size), (4 * bar, 0, size, size)],
        "up": [(0, size - bar, size, size), (0, 0, bar, size), (2 * bar, 0, 3 * bar, size), (4 * bar, 0, size, size)],
    }
    for left, top, right, bottom in rectangles[direction]:
        draw.rectangle([x + left, y + top, x + right - 1, y + bottom - 1], fill=INK)


def birth_notification() -> Image.Image:
    image, draw = _canvas()
    sheet = (330, 60, 870, 720)
    draw.rectangle(sheet, fill=PAPER, outline=INK, width=4)
    draw.rectangle([370, 100, 830, 150], fill=CARD)
    for block_top in (190, 330):
        _lines(draw, 380, block_top, [420, 360, 400], gap=36)
    draw.ellipse([640, 520, 800, 680], outline=BRAND, width=8)
    draw.ellipse([668, 548, 772, 652], outline=BRAND, width=4)
    draw.line([390, 640, 430, 600, 470, 650, 520, 590, 560, 640], fill=INK, width=5)
    _callout(draw, (280, 230), 1)
    _callout(draw, (280, 370), 2)
    _callout(draw, (920, 600), 3)
    _callout(draw, (280, 620), 4)
    return image


def electricity_bill() -> Image.Image:
    image, draw = _canvas()
    sheet = (300, 60, 900, 720)
    draw.rectangle(sheet, fill=PAPER, outline=INK, width=4)
    draw.rectangle([300, 60, 900, 140], fill=BRAND)
    draw.polygon([(360, 75), (330, 115), (355, 115), (340, 135), (385, 95), (360, 95), (375, 75)], fill=MARK)
    for index in range(10):
        x = 350 + index * 44
        draw.rounded_rectangle([x, 180, x + 36, 226], radius=6, fill=CARD, outline=INK, width=3)
    _lines(draw, 350, 270, [480, 420, 460, 380], gap=34)
    draw.rounded_rectangle([350, 430, 850, 520], radius=10, fill=(255, 244, 206), outline=INK, width=4)
    draw.rounded_rectangle([380, 455, 620, 495], radius=6, fill=INK)
    draw.rounded_rectangle([350, 560, 600, 600], radius=8, fill=CARD, outline=INK, width=3)
    _qr_like(draw, 690, 545, cell=14)
    _callout(draw, (250, 203), 1)
    _callout(draw, (250, 475), 2)
    _callout(draw, (250, 580), 3)
    _callout(draw, (950, 630), 4)
    return image


def _qr_like(draw: ImageDraw.ImageDraw, left: int, top: int, cell: int) -> None:
    """A pattern that looks like a QR code and encodes nothing: three finder squares and fixed noise."""
    size = 11
    draw.rectangle([left, top, left + size * cell, top + size * cell], fill=PAPER)
    for row in range(size):
        for column in range(size):
            if (row * 7 + column * 13 + row * column) % 5 < 2:
                x, y = left + column * cell, top + row * cell
                draw.rectangle([x, y, x + cell - 1, y + cell - 1], fill=INK)
    for x, y in ((left, top), (left + (size - 3) * cell, top), (left, top + (size - 3) * cell)):
        draw.rectangle([x, y, x + 3 * cell, y + 3 * cell], fill=INK)
        draw.rectangle([x + cell // 2, y + cell // 2, x + 3 * cell - cell // 2, y + 3 * cell - cell // 2], fill=PAPER)
        draw.rectangle([x + cell, y + cell, x + 2 * cell, y + 2 * cell], fill=INK)


PICTURES: dict[str, Callable[[], Image.Image]] = {
    "national-id-card/card-front.png": card_front,
    "national-id-card/card-back.png": card_back,
    "passport-renewal/photo-rules.png": passport_photo,
    "driving-licence-first/eye-test.png": eye_test,
    "birth-certificate/birth-notification.png": birth_notification,
    "electricity-bill-payment/bill.png": electricity_bill,
}

# The video: the card front, then each mark in turn. (start, end, highlighted mark or None, captions)
SCENES: list[tuple[int, int, int | None, dict[str, str]]] = [
    (0, 4, None, {
        "ar": "هذا رسم توضيحي لوجه البطاقة الوطنية الموحدة.",
        "ckb": "ئەمە وێنەی ڕوونکردنەوەی ڕووی پێشەوەی کارتی نیشتمانییە.",
        "en": "This is an illustration of the front of the unified national card.",
    }),
    (4, 7, 1, {
        "ar": "1: صورتك الشخصية.",
        "ckb": "1: وێنەکەت.",
        "en": "1: your photo.",
    }),
    (7, 10, 2, {
        "ar": "2: اسمك واسم الأب والجد واللقب واسم الأم.",
        "ckb": "2: ناوت و ناوی باوک و باپیر و نازناو و ناوی دایک.",
        "en": "2: your name, your father's and grandfather's names, surname and mother's name.",
    }),
    (10, 13, 3, {
        "ar": "3: الرقم الوطني من 12 مرتبة. تحتاجه في أغلب الخدمات.",
        "ckb": "3: ژمارەی نیشتمانی 12 ژمارەیی. لە زۆربەی خزمەتگوزارییەکاندا پێویستت پێیەتی.",
        "en": "3: the 12-digit national number. Most services ask for it.",
    }),
    (13, 16, 4, {
        "ar": "4: الشريحة الإلكترونية. لا تثنِ البطاقة ولا تثقبها.",
        "ckb": "4: چیپی ئەلیکترۆنی. کارتەکە مەچەمێنەوە و کونی مەکە.",
        "en": "4: the electronic chip. Do not bend or punch the card.",
    }),
]  # fmt: skip
# Where each mark of card_front() is: the part of the picture a scene keeps bright.
HIGHLIGHTS = {1: (180, 220, 430, 540), 2: (440, 230, 960, 420), 3: (440, 430, 1040, 520), 4: (180, 545, 320, 645)}


def build_pictures() -> None:
    for relative, draw_picture in PICTURES.items():
        path = MEDIA_DIR / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        draw_picture().save(path, optimize=True)
        sys.stdout.write(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)\n")


def _scene_frame(highlight: int | None) -> Image.Image:
    frame = card_front()
    if highlight is not None:
        shade = Image.new("RGB", frame.size, INK)
        dimmed = Image.blend(frame, shade, 0.55)
        dimmed.paste(frame.crop(HIGHLIGHTS[highlight]), HIGHLIGHTS[highlight][:2])
        frame = dimmed
    return frame.resize((640, 404), Image.Resampling.LANCZOS)


def build_video() -> None:
    video = MEDIA_DIR / "national-id-card" / "reading-the-card.mp4"
    poster = MEDIA_DIR / "national-id-card" / "reading-the-card-poster.png"
    _scene_frame(None).save(poster, optimize=True)
    for language in ("ar", "ckb", "en"):
        cues = [
            f"{index}\n{_timestamp(start)} --> {_timestamp(end)}\n{text[language]}\n"
            for index, (start, end, _, text) in enumerate(SCENES, start=1)
        ]
        path = MEDIA_DIR / "national-id-card" / f"reading-the-card.{language}.vtt"
        path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        sys.stdout.write("ffmpeg not found: keeping the committed video, captions and poster rewritten\n")
        return
    with tempfile.TemporaryDirectory() as temporary:
        second = 0
        for start, end, highlight, _ in SCENES:
            frame = _scene_frame(highlight)
            for _ in range(start, end):
                frame.save(Path(temporary) / f"frame{second:03d}.png")
                second += 1
        # H.264 baseline in MP4 plays on every phone browser; one picture a second, re-timed to 10
        # frames a second so that seeking works, at a quality where flat diagrams stay sharp.
        subprocess.run(  # noqa: S603 — fixed arguments, no user input
            [
                ffmpeg, "-loglevel", "error", "-y", "-framerate", "1", "-i", str(Path(temporary) / "frame%03d.png"),
                "-r", "10", "-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-crf", "30",
                "-tune", "stillimage", "-movflags", "+faststart", "-map_metadata", "-1", "-fflags", "+bitexact",
                "-flags:v", "+bitexact", str(video),
            ],
            check=True,
        )  # fmt: skip
    sys.stdout.write(f"wrote {video.relative_to(ROOT)} ({video.stat().st_size} bytes), poster and captions\n")


def _timestamp(seconds: int) -> str:
    return f"00:{seconds // 60:02d}:{seconds % 60:02d}.000"


def main() -> int:
    build_pictures()
    build_video()
    return 0


if __name__ == "__main__":
    sys.exit(main())
