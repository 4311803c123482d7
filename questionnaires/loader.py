"""Load and check NETS instrument files.

An instrument file is JSON validated by ``schema/instrument.schema.json``; the loader
then checks what a schema cannot (unique ids, known themes, standards and learner
groups, adverse items reverse-keyed, one overall-experience and one would-recommend
item) and returns frozen dataclasses.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

HERE = Path(__file__).resolve().parent
SCHEMA_PATH = HERE / "schema" / "instrument.schema.json"
FRAMEWORK_PATH = HERE / "quality_framework.json"
DEFAULT_INSTRUMENT = "nets-core"


class InstrumentError(ValueError):
    """An instrument file is malformed or inconsistent; the message says where and how."""


@dataclass(frozen=True)
class Standard:
    id: str
    title: str
    domain: str


@dataclass(frozen=True)
class LearnerGroup:
    id: str
    title: str


@dataclass(frozen=True)
class QualityFramework:
    domains: dict[str, str]
    standards: dict[str, Standard]
    learner_groups: dict[str, LearnerGroup]


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    intro: str = ""


@dataclass(frozen=True)
class Item:
    id: str
    theme: str
    text: str
    standards: tuple[str, ...]
    reverse: bool
    adverse: bool
    allow_na: bool
    role: str | None = None
    group: str | None = None  # set for profession-specific items

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.split(".")[0] for s in self.standards))


@dataclass(frozen=True)
class ProfessionBlock:
    group: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class FreeTextPrompt:
    id: str
    prompt: str
    max_length: int


@dataclass(frozen=True)
class ConcernQuestion:
    id: str
    kind: str
    question: str
    details_prompt: str
    max_length: int


@dataclass(frozen=True)
class Instrument:
    name: str
    version: int
    title: str
    description: str
    scale: tuple[tuple[int, str], ...]
    not_applicable_label: str
    themes: tuple[Theme, ...]
    items: tuple[Item, ...]
    profession_blocks: tuple[ProfessionBlock, ...]
    free_text: tuple[FreeTextPrompt, ...]
    concerns: tuple[ConcernQuestion, ...]
    retest_items: tuple[str, ...]
    retest_title: str
    sha256: str
    raw: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def items_for(self, group: str | None) -> tuple[Item, ...]:
        """Core items in order, then the profession block for ``group`` (if any)."""
        extra: tuple[Item, ...] = ()
        for block in self.profession_blocks:
            if block.group == group:
                extra = block.items
        core = tuple(i for i in self.items if i.theme != "overall")
        overall = tuple(i for i in self.items if i.theme == "overall")
        return core + extra + overall

    @property
    def all_items(self) -> tuple[Item, ...]:
        return self.items + tuple(i for b in self.profession_blocks for i in b.items)

    def item(self, item_id: str) -> Item:
        for it in self.all_items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def item_by_role(self, role: str) -> Item:
        return next(i for i in self.items if i.role == role)

    @property
    def scoring_items(self) -> tuple[Item, ...]:
        """Core Likert items that make up the themes (not the overall criterion items)."""
        return tuple(i for i in self.items if i.theme != "overall")

    def theme_scales(self) -> dict[str, list[str]]:
        """Theme -> its core item ids, plus ``overall`` for every scoring item."""
        scales: dict[str, list[str]] = {}
        for it in self.scoring_items:
            scales.setdefault(it.theme, []).append(it.id)
        scales["overall"] = [i.id for i in self.scoring_items]
        return scales

    def domain_scales(self) -> dict[str, list[str]]:
        """Quality Framework domain ("domain 1" ...) -> the core items mapped to it."""
        scales: dict[str, list[str]] = {}
        for it in self.scoring_items:
            for d in it.domains:
                scales.setdefault(f"domain {d}", []).append(it.id)
        return dict(sorted(scales.items()))

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)


@lru_cache(maxsize=1)
def load_framework() -> QualityFramework:
    """The Quality Framework's domains and standards, and the learner groups."""
    raw = json.loads(FRAMEWORK_PATH.read_text(encoding="utf-8"))
    domains = {d["id"]: d["title"] for d in raw["domains"]}
    standards = {
        s["id"]: Standard(s["id"], s["title"], d["id"])
        for d in raw["domains"]
        for s in d["standards"]
    }
    groups = {g["id"]: LearnerGroup(g["id"], g["title"]) for g in raw["learner_groups"]}
    return QualityFramework(domains, standards, groups)


def available_instruments() -> list[Path]:
    """Instrument files shipped in this package."""
    return sorted(HERE.glob("*_v*.json"))


def _resolve(source: str | Path | None) -> Path:
    if source is None:
        source = DEFAULT_INSTRUMENT
    path = Path(source)
    if path.suffix == ".json":
        return path
    name, _, version = str(source).partition("@")
    stem = name.replace("-", "_")
    candidates = [p for p in available_instruments() if p.stem.startswith(stem + "_v")]
    if version:
        candidates = [p for p in candidates if p.stem == f"{stem}_v{version}"]
    if not candidates:
        raise InstrumentError(
            f"no instrument file for {source!r}; known: "
            + ", ".join(p.name for p in available_instruments())
        )
    return max(candidates, key=lambda p: int(p.stem.rsplit("_v", 1)[1]))


def _item(raw: dict[str, Any], group: str | None = None) -> Item:
    return Item(
        id=raw["id"],
        theme=raw["theme"],
        text=raw["text"],
        standards=tuple(raw["standards"]),
        reverse=raw["reverse"],
        adverse=raw["adverse"],
        allow_na=raw["allow_na"],
        role=raw.get("role"),
        group=group,
    )


def _check(inst: Instrument, where: str) -> None:
    fw = load_framework()
    problems: list[str] = []
    theme_ids = {t.id for t in inst.themes}
    ids = Counter(i.id for i in inst.all_items)
    problems += [f"item id {i!r} is used {n} times" for i, n in ids.items() if n > 1]
    for it in inst.all_items:
        if it.theme not in theme_ids:
            problems.append(f"item {it.id!r} names unknown theme {it.theme!r}")
        for s in it.standards:
            if s not in fw.standards:
                problems.append(
                    f"item {it.id!r} is mapped to unknown standard {s!r} "
                    f"(the Quality Framework has {min(fw.standards)}..{max(fw.standards)})"
                )
        if it.adverse and not it.reverse:
            problems.append(
                f"adverse item {it.id!r} must be reverse-keyed (agreeing reports adversity)"
            )
    for block in inst.profession_blocks:
        if block.group not in fw.learner_groups:
            problems.append(
                f"profession block names unknown learner group {block.group!r}; "
                f"known: {', '.join(fw.learner_groups)}"
            )
    for role in ("overall_experience", "would_recommend"):
        n = sum(1 for i in inst.items if i.role == role)
        if n != 1:
            problems.append(f"the instrument needs exactly one {role} item, found {n}")
    core = {i.id for i in inst.scoring_items}
    problems += [
        f"retest item {r!r} is not a core Likert item" for r in inst.retest_items if r not in core
    ]
    kinds = Counter(c.kind for c in inst.concerns)
    problems += [f"concern kind {k!r} appears {n} times" for k, n in kinds.items() if n > 1]
    ft = Counter(f.id for f in inst.free_text)
    problems += [f"free-text id {k!r} appears {n} times" for k, n in ft.items() if n > 1]
    if [p[0] for p in inst.scale] != [1, 2, 3, 4, 5]:
        problems.append("scale points must have values 1, 2, 3, 4, 5 in order")
    if problems:
        raise InstrumentError(f"{where}: " + "; ".join(problems))


def load_instrument(source: str | Path | None = None) -> Instrument:
    """Load, validate and return an instrument.

    ``source`` is a path to a JSON file, an instrument name (``"nets-core"``, the
    newest version) or ``"name@version"``. Raises :class:`InstrumentError` naming
    the file and every problem found.
    """
    path = _resolve(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstrumentError(f"{path}: cannot read the file ({exc.strerror})") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstrumentError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(raw), key=lambda e: list(e.path)
    )
    if errors:
        details = "; ".join(
            f"at {'/'.join(str(p) for p in e.path) or '(top)'}: {e.message}" for e in errors[:10]
        )
        raise InstrumentError(f"{path}: does not match the instrument schema: {details}")
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":")).encode()
    inst = Instrument(
        name=raw["instrument"],
        version=raw["version"],
        title=raw["title"],
        description=raw.get("description", ""),
        scale=tuple((p["value"], p["label"]) for p in raw["scale"]["points"]),
        not_applicable_label=raw["scale"]["not_applicable_label"],
        themes=tuple(Theme(t["id"], t["title"], t.get("intro", "")) for t in raw["themes"]),
        items=tuple(_item(i) for i in raw["items"]),
        profession_blocks=tuple(
            ProfessionBlock(b["group"], tuple(_item(i, b["group"]) for i in b["items"]))
            for b in raw.get("profession_blocks", [])
        ),
        free_text=tuple(
            FreeTextPrompt(f["id"], f["prompt"], f["max_length"]) for f in raw["free_text"]
        ),
        concerns=tuple(
            ConcernQuestion(c["id"], c["kind"], c["question"], c["details_prompt"], c["max_length"])
            for c in raw["concerns"]
        ),
        retest_items=tuple(raw["retest_form"]["items"]),
        retest_title=raw["retest_form"]["title"],
        sha256=hashlib.sha256(canonical).hexdigest(),
        raw=raw,
    )
    _check(inst, str(path))
    return inst


def coverage(inst: Instrument) -> dict[str, Any]:
    """Items per theme, per domain and per standard, and the standards no item covers."""
    fw = load_framework()
    items: Iterable[Item] = inst.all_items
    per_theme = Counter(i.theme for i in items)
    per_standard = Counter(s for i in inst.all_items for s in i.standards)
    per_domain = Counter(d for i in inst.all_items for d in i.domains)
    return {
        "items": len(inst.all_items),
        "core_items": len(inst.items),
        "per_theme": dict(per_theme),
        "per_domain": {d: per_domain.get(d, 0) for d in fw.domains},
        "per_standard": {s: per_standard.get(s, 0) for s in fw.standards},
        "uncovered": [s for s in fw.standards if per_standard.get(s, 0) == 0],
        "adverse": [i.id for i in inst.all_items if i.adverse],
        "reverse": [i.id for i in inst.all_items if i.reverse],
    }
