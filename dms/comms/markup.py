"""A safe subset of Markdown for announcement bodies.

Everything is HTML-escaped first; only then are a few constructs turned into tags:
paragraphs and line breaks, ``# headings`` (rendered as h3–h5), ``**bold**``, ``*italics*``,
``- `` / ``1. `` lists and ``[text](https://…)`` links (http, https and mailto only).
Raw HTML in the source therefore shows as text and can never run.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?!\*)")
LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^\s()<>\"']+)\)")
BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
HEADING = re.compile(r"^(#{1,3})\s+(.*)$")


def _inline(text: str) -> str:
    text = LINK.sub(r'<a href="\2" rel="noopener noreferrer" target="_blank">\1</a>', text)
    text = BOLD.sub(r"<strong>\1</strong>", text)
    return ITALIC.sub(r"<em>\1</em>", text)


def _block(lines: list[str]) -> str:
    if all(BULLET.match(line) for line in lines):
        return "<ul>" + "".join(f"<li>{_inline(BULLET.match(x).group(1))}</li>" for x in lines) + "</ul>"
    if all(NUMBERED.match(line) for line in lines):
        return "<ol>" + "".join(f"<li>{_inline(NUMBERED.match(x).group(1))}</li>" for x in lines) + "</ol>"
    heading = HEADING.match(lines[0])
    if heading and len(lines) == 1:
        level = len(heading.group(1)) + 2
        return f"<h{level}>{_inline(heading.group(2))}</h{level}>"
    return "<p>" + "<br>".join(_inline(line) for line in lines) + "</p>"


def render_markdown(source: str) -> SafeString:
    blocks, current = [], []
    for line in escape(source or "").replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return mark_safe("".join(_block(b) for b in blocks))  # noqa: S308 - built from escaped text only


def render_plain(source: str) -> SafeString:
    """Plain text: escaped, blank lines make paragraphs, single newlines line breaks."""
    paragraphs = [p for p in re.split(r"\n\s*\n", escape(source or "").replace("\r\n", "\n")) if p.strip()]
    return mark_safe("".join("<p>" + p.strip().replace("\n", "<br>") + "</p>" for p in paragraphs))  # noqa: S308


def render_body(announcement) -> SafeString:
    if announcement.body_format == "markdown":
        return render_markdown(announcement.body)
    return render_plain(announcement.body)
