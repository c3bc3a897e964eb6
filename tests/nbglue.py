"""Reading glued values out of notebook outputs (used by the determinism test)."""
from __future__ import annotations


def glued_number(out) -> tuple[str | None, str | None]:
    """The name and text of a glued value that is not a figure (no image or HTML), else (None, None)."""
    meta = out.get("metadata", {}) or {}
    scrap = meta.get("scrapbook")
    if not scrap:
        return None, None
    prefix = scrap.get("mime_prefix", "")
    data = {key[len(prefix):]: value for key, value in out.get("data", {}).items()}
    if set(data) != {"text/plain"}:
        return None, None
    text = data["text/plain"]
    return scrap["name"], "".join(text) if isinstance(text, list) else text


def glued_values(nb) -> dict[str, str]:
    """Every glued number of an executed notebook: name -> text (the last value wins)."""
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name, value = glued_number(out)
            if name is not None:
                values[name] = value
    return values
