"""Read the text back out of a PDF in tests, with no PDF library: fonts' ToUnicode maps and the TJ operators.

It understands what WeasyPrint writes with ``uncompressed_pdf=True`` (plain objects, Type0 fonts with
two-byte glyph codes); that is enough to prove that the words a reader sees are really in the file.
"""

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(number): body for number, body in _OBJECT.findall(pdf)}


def _cmap(stream: bytes) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for glyph, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[glyph.decode().lower()] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, start in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            first = int(start, 16)
            for offset, glyph in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[f"{glyph:0{len(low)}x}"] = chr(first + offset)
    return mapping


def pdf_text(pdf: bytes) -> str:
    """Return the text of an uncompressed PDF, one line per text operator."""
    objects = _objects(pdf)
    fonts: dict[bytes, dict[str, str]] = {}
    for body in objects.values():
        inline = re.findall(rb"/Font\s*<<(.*?)>>", body, re.S)
        indirect = [objects.get(int(n), b"") for n in re.findall(rb"/Font\s+(\d+) 0 R", body)]
        for resources in inline + indirect:
            for name, number in re.findall(rb"/([^\s/<>\[\]]+)\s+(\d+) 0 R", resources):
                font = objects.get(int(number), b"")
                to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
                if to_unicode:
                    stream = _STREAM.search(objects[int(to_unicode.group(1))])
                    fonts[name] = _cmap(stream.group(1)) if stream else {}
    lines = []
    for body in objects.values():
        stream = _STREAM.search(body)
        if stream is None or b" Tf" not in stream.group(1):
            continue
        current: dict[str, str] = {}
        for font, array, single in re.findall(
            rb"/(\S+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", stream.group(1), re.S
        ):
            if font:
                current = fonts.get(font, {})
                continue
            hexes = re.findall(rb"<([0-9a-fA-F]*)>", array) if array else [single]
            text = ""
            for chunk in hexes:
                chunk_text = chunk.decode().lower()
                text += "".join(current.get(chunk_text[i : i + 4], "?") for i in range(0, len(chunk_text), 4))
            lines.append(text)
    return "\n".join(lines)


def decompressed_streams(pdf: bytes) -> bytes:
    """Return every Flate stream of a (compressed) PDF decompressed and joined, to look for embedded names."""
    out = []
    for stream in _STREAM.findall(pdf):
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(out)
