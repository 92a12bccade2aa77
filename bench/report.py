"""bench/accuracy.py's report: the Markdown sections of docs/ACCURACY.md (rates and tables: `bench.stats`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench import labels as L
from bench.dataset import VARIANT_NOTES, Variant, clip_path, read_video_honours_rotation
from bench.presentations import CROPS, MOTIONS
from bench.report_passive import passive_section, webcam_section
from bench.stats import ci, pct, table
from gestures import codes
from gestures.config import EngineConfig

SPLITS = (L.DEV, L.HELDOUT)
SPECIES_TITLES = {
    "yaw": "printed photo on a card: yaw (turned +-45, or +-40 as it opens)",
    "pitch": "printed photo on a card: pitch (tilted +-40, slow and fast, or as it opens)",
    "roll": "printed photo on a card: roll (+-25, also as it opens)",
    "shift": "printed photo on a card: shift (translate, near/far)",
    "screen": "screen replay (spoof/ captures)",
    "print": "printed photo held up (spoof/ captures)",
    "synthetic-screen": "SYNTHETIC screen replay of every bona fide attempt",
}

# --- the sections ---------------------------------------------------------------------------


def refused_by_passive(r: dict[str, Any]) -> bool:
    return r["status"] != "success" and r["gestures_matched"]


def outcome(r: dict[str, Any]) -> str:
    text = f"{r['entry_status']} ({r['entry_detected'] or 'nothing'})"
    if r["gestures_matched"]:
        text = f"MATCH, then {r['gesture_status']}"
    if r["reason"]:
        text += f" {r['reason']}"
    if r["passive_status"] and (r["reason"] or r["gestures_matched"]):
        text += f" passive {r['passive_status']} {r['spoof']:.2f}"
    return text


def bona_fide_section(results: list[dict[str, Any]], variants: list[Variant]) -> list[str]:
    out = ["### Bona fide attempts: BPCER", ""]
    if not results:
        return [*out, "No bona fide attempt in this split.", ""]
    attempts_n = len({r["attempt"] for r in results})

    def row(name: str, rs: list[dict[str, Any]], *extra: Any) -> list[Any]:
        k = sum(r["status"] != "success" for r in rs)
        passive = sum(refused_by_passive(r) for r in rs)
        return [name, *extra, len(rs), k, pct(k, len(rs)), ci(k, len(rs)), passive]

    page = [r for r in results if r["variant"] == "page"]
    out.append(
        f"{attempts_n} labelled attempts x {len(variants)} capture variants = "
        f"{len(results)} sessions (one gesture, one attempt each). Variants of one attempt are "
        "not independent samples: the interval is for orientation only."
    )
    out.append("")
    header = ["sessions", "n", "refused", "BPCER", "95% CI (Wilson)", "refused by passive only"]
    out.append(
        table(
            header,
            [row("all variants", results), row("page (480 px q70, native frame rate)", page)],
        )
    )
    out.append("")
    by_gesture: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        by_gesture[r["label_gesture"]].append(r)
    rows = []
    for gesture in codes.SUPPORTED_GESTURES:
        rs = by_gesture.get(gesture, [])
        if rs:
            n_attempts = len({r["attempt"] for r in rs})
            page_rs = [r for r in rs if r["variant"] == "page"]
            k_page = sum(r["status"] != "success" for r in page_rs)
            rows.append(row(gesture, rs, n_attempts, f"{k_page}/{len(page_rs)}"))
    out.append("Per labelled gesture (as performed; mirrored sessions request the mirrored code):")
    out.append("")
    out.append(
        table(["gesture", "attempts", "page refused", *header[1:]], rows) if rows else "(none)"
    )
    out.append("")
    rows = []
    for variant in variants:
        rs = [r for r in results if r["variant"] == variant.name]
        rows.append(row(variant.name, rs, variant.kind, VARIANT_NOTES[variant.name]))
    out.append("Per capture variant:")
    out.append("")
    out.append(table(["variant", "kind", "what", *header[1:]], rows))
    out.append("")
    return out


def attack_section(results: list[dict[str, Any]]) -> list[str]:
    out = ["### Attack presentations: APCER per species", ""]
    if not results:
        return [*out, "No attack in this split.", ""]
    out.append(
        "A session is one requested gesture with 3 attempts while the attack is presented "
        "(looped); `accepted` = the verdict was `success`. `gestures alone` counts the sessions "
        "whose gestures all matched, i.e. what the verdict would be without the passive "
        "anti-spoofing (MiniFASNet); `stopped by passive` = gestures matched but the session "
        "failed. `reached a judged frame`: the engine got a neutral pose and judged at least one "
        "challenge frame (so the gesture logic, not positioning, turned the rest down)."
    )
    out.append("")
    rows = []
    worst = (-1.0, "")
    for species, title in SPECIES_TITLES.items():
        rs = [r for r in results if r["species"] == species]
        if not rs:
            continue
        n = len(rs)
        k = sum(r["status"] == "success" for r in rs)
        g = sum(r["gestures_matched"] for r in rs)
        sources = len({r["pai"] for r in rs})
        presentations = len({(r["pai"], r["detail"]) for r in rs})
        judged = sum(r["judged"] > 0 for r in rs)
        rows.append(
            [title, sources, presentations, n, judged, k, pct(k, n), ci(k, n), g, pct(g, n), g - k]
        )
        if n and k / n > worst[0]:
            worst = (k / n, title)
    out.append(
        table(
            [
                "species",
                "PAI sources",
                "presentations",
                "sessions",
                "reached a judged frame",
                "accepted",
                "APCER",
                "95% CI",
                "gestures alone",
                "APCER without passive",
                "stopped by passive",
            ],
            rows,
        )
    )
    out.append("")
    out.append(f"Worst species (APCER maximum over species): {100 * worst[0]:.1f}% ({worst[1]}).")
    out.append("")
    by_gesture = defaultdict(lambda: [0, 0, 0])
    for r in results:
        cell = by_gesture[r["species"], r["gesture"]]
        cell[0] += 1
        cell[1] += r["status"] == "success"
        cell[2] += r["gestures_matched"]
    rows = []
    for species in SPECIES_TITLES:
        for gesture in codes.SUPPORTED_GESTURES:
            if (species, gesture) in by_gesture:
                n, k, g = by_gesture[species, gesture]
                rows.append([species, gesture, n, k, pct(k, n), g, pct(g, n)])
    out.append("Per species and requested gesture:")
    out.append("")
    out.append(
        table(
            ["species", "gesture", "sessions", "accepted", "APCER", "gestures alone", "rate"],
            rows,
        )
    )
    out.append("")
    return out


def failing_section(
    bona: list[dict[str, Any]], attacks: list[dict[str, Any]], variants: list[Variant]
) -> list[str]:
    out = ["### Failing cases", ""]
    order = {v.name: i for i, v in enumerate(variants)}
    by_attempt: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in bona:
        by_attempt[r["attempt"]].append(r)
    rows = []
    for name in sorted(by_attempt):
        rs = sorted(by_attempt[name], key=lambda r: order[r["variant"]])
        failed = [r for r in rs if r["status"] != "success"]
        if not failed:
            continue
        groups: dict[str, list[str]] = defaultdict(list)
        for r in failed:
            groups[outcome(r)].append(r["variant"])
        detail = "; ".join(f"{', '.join(vs)}: {text}" for text, vs in groups.items())
        first = rs[0]
        rows.append(
            [
                name,
                first["label_gesture"],
                f"{first['pre_roll_ms'] / 1000:.2f} s",
                f"{len(failed)}/{len(rs)}",
                detail,
            ]
        )
    out.append(
        "Bona fide attempts refused (clip#first-last frames of the label; the variants that "
        "failed and how: the requested gesture's status (what was seen), or MATCH then the "
        "session's status when only the passive check refused it):"
    )
    out.append("")
    out.append(
        table(["attempt", "gesture", "pre-roll", "refused", "variants: verdict"], rows)
        if rows
        else "None."
    )
    out.append("")
    accepted = [r for r in attacks if r["status"] == "success"]
    out.append("Attack sessions accepted (`success`):")
    out.append("")
    if accepted:
        rows = [
            [
                r["species"],
                r["pai"],
                r["detail"],
                r["gesture"],
                r["attempts"],
                f"passive {r['passive_status']} {r['spoof']:.2f}" if r["spoof"] is not None else "",
            ]
            for r in sorted(accepted, key=lambda r: (r["species"], r["pai"], r["detail"]))
        ]
        out.append(table(["species", "source", "presentation", "gesture", "attempts", ""], rows))
    else:
        out.append("None.")
    out.append("")
    stopped = [r for r in attacks if refused_by_passive(r)]
    if stopped:
        counts: Counter[tuple[str, str]] = Counter((r["species"], r["pai"]) for r in stopped)
        gestures: dict[tuple[str, str], set[str]] = defaultdict(set)
        for r in stopped:
            gestures[r["species"], r["pai"]].add(r["gesture"])
        out.append("Attack sessions whose gestures matched, stopped only by the passive check:")
        out.append("")
        rows = [
            [species, pai, n, ", ".join(sorted(gestures[species, pai]))]
            for (species, pai), n in sorted(counts.items())
        ]
        out.append(table(["species", "source", "sessions", "gestures matched"], rows))
        out.append("")
    return out


def split_section(
    split: str, results: list[dict[str, Any]], variants: list[Variant], show_cases: bool
) -> list[str]:
    bona = [r for r in results if r["set"] == "bonafide" and r["split"] == split]
    attacks = [r for r in results if r["set"] == "attack" and r["split"] == split]
    title = "held-out" if split == L.HELDOUT else "dev"
    out = [f"## Split: {title}", ""]
    out += bona_fide_section(bona, variants)
    out += attack_section(attacks)
    out += passive_section(bona, attacks)
    out += webcam_section([r for r in results if r["set"] == "webcam" and r["split"] == split])
    if show_cases:
        out += failing_section(bona, attacks, variants)
    else:
        out += [
            "### Failing cases",
            "",
            "Not listed for the held-out split (`--show-heldout-cases` lists them): engineers "
            "tune on dev cases only, and a held-out case read is a held-out case spent.",
            "",
        ]
    return out


def header_section(
    data: Path, splits: list[str], quick: bool, variants: list[Variant], tasks: list
) -> list[str]:
    config = EngineConfig()
    out = [
        "# Accuracy: an ISO/IEC 30107-3 style evaluation",
        "",
        f"`bench/accuracy.py{' --quick' if quick else ''}` on `{data}`; splits: "
        f"{', '.join(splits)}; default `EngineConfig` (passive HIGH at spoof >= "
        f"{config.passive_spoof_high}, {config.passive_min_samples} samples at least, then one "
        f"frame in {config.passive_sample_every}).",
        "",
        "- **BPCER** = bona fide sessions refused / bona fide sessions (any verdict other than "
        "`success` is a refusal: NOT_MATCH, face not detected, SPOOF_SUSPECTED...).",
        "- **APCER** (per species) = attack sessions accepted (`success`) / attack sessions.",
        "- Each bona fide attempt is one labelled gesture (bench/labels.py) cut from its clip, "
        "replayed as a one-gesture session with one attempt; each attack session has 3.",
        "",
    ]
    rotation = clip_path(data, "proctoringai_center_left_center")
    if rotation.is_file() and not read_video_honours_rotation(rotation):
        out += [
            "Note: `workers.video.read_video` ignores the rotation flag of the proctoring clips "
            "(it yields them sideways); this bench reads clips upright itself (`bench.dataset."
            "read_clip`), so `manage.py liveness_replay` would see those clips differently.",
            "",
        ]
    out += ["## Data and split", ""]
    persons: dict[str, dict[str, list[str]]] = {s: defaultdict(list) for s in SPLITS}
    for source, person in L.PERSON.items():
        persons[L.split_of(source)][person].append(source.split("/")[-1])
    rows = []
    for split in SPLITS:
        for person in sorted(persons[split]):
            rows.append([split, person, ", ".join(sorted(persons[split][person]))])
    out.append(
        f"The split is by person, fixed in `bench/labels.py` (`HELDOUT_PERSONS`): "
        f"{len(persons[L.DEV])} persons in dev, {len(persons[L.HELDOUT])} held out."
    )
    out.append("")
    out.append(table(["split", "person", "sources"], rows))
    out.append("")
    counts: dict[str, Counter[str]] = {s: Counter() for s in SPLITS}
    for label in L.LABELS:
        counts[L.split_of(label.clip)][label.gesture] += 1
    rows = [
        [g, counts[L.DEV][g], counts[L.HELDOUT][g], counts[L.DEV][g] + counts[L.HELDOUT][g]]
        for g in codes.SUPPORTED_GESTURES
    ]
    rows.append(["all", *(sum(counts[s].values()) for s in SPLITS), len(L.LABELS)])
    out.append("Labelled bona fide attempts (each also replayed mirrored, as the other code):")
    out.append("")
    out.append(table(["gesture", "dev", "held-out", "total"], rows))
    out.append("")
    out.append("Clips without labels: " + "; ".join(f"`{c}`: {w}" for c, w in L.NO_LABELS.items()))
    out.append("")
    out.append(
        "Capture variants: "
        + "; ".join(f"`{v.name}` {VARIANT_NOTES[v.name]}" for v in variants)
        + "."
    )
    out.append("")
    printed = sorted({t[1][1].split("/")[-1] for t in tasks if t[1][0] == "card"})
    out.append(
        "Attacks: printed photos ("
        + ", ".join(printed)
        + f") cropped {' and '.join(CROPS) if not quick else CROPS[0]} (clip frames: tight only) on a card 0.6 of the "
        "frame wide (tests/support/attacks.py), held still then moved: "
        + "; ".join(
            f"{m.name} ({m.species}, held {m.hold_s} s, {m.seconds_per_leg} s per leg, "
            f"{'/'.join(m.distances)})"
            for m in MOTIONS.values()
        )
        + ". Replay evidence from `spoof/`: stills, slightly moved stills, GIF segments. The "
        "synthetic screen replay shows each bona fide cut on a phone (0.6 scale, bezel, "
        "perspective, display gamma, moiré, glare), looped 3 times."
    )
    out.append("")
    return out
