"""bench/accuracy.py's report on the passive check: its threshold's trade-off, and real webcam
captures scored by it alone."""

from __future__ import annotations

import statistics
from typing import Any

from bench import labels as L
from bench.stats import pct, table
from gestures.config import EngineConfig
from gestures.passive import HIGH, passive_status

# Real webcam captures of a live face (the hands dataset's photos, `labels.WEBCAM_DIR`): every
# photo of each recording run, as the page would send it under these capture variants, scored
# by the passive check alone (`webcam_section`).
WEBCAM_VARIANTS = ("page", "w320", "q50", "dark0.6", "bright1.4", "noise6")
PASSIVE_SWEEP = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)
# Attack species the passive model is meant to see (a face on a screen or on paper that the
# camera films); the photo cards are rendered synthetically and are stopped by geometry.
PASSIVE_SPECIES = ("screen", "print", "synthetic-screen")


def passive_section(bona: list[dict[str, Any]], attacks: list[dict[str, Any]]) -> list[str]:
    """How the passive threshold trades refused people against admitted replays: for each
    candidate HIGH threshold, the sessions whose gestures matched that the passive check alone
    would refuse (bona fide) or admit (attacks). The thresholds in `EngineConfig` are chosen
    from the dev split's table."""
    out = ["### Passive anti-spoofing: the HIGH threshold's trade-off", ""]
    groups: list[tuple[str, list[dict[str, Any]], bool]] = [
        ("bona fide, page", [r for r in bona if r["variant"] == "page"], True),
        ("bona fide, pace", [r for r in bona if r["variant"] == "pace"], True),
        ("bona fide, all variants", bona, True),
        *(
            (f"attack: {sp}", [r for r in attacks if r["species"] == sp], False)
            for sp in PASSIVE_SPECIES
        ),
    ]
    rows = []
    for name, rs, live in groups:
        judged = [r for r in rs if r["gestures_matched"] and r["spoof"] is not None]
        if not judged:
            continue
        spoofs = sorted(r["spoof"] for r in judged)
        cells: list[Any] = [name, len(judged), f"{spoofs[0]:.2f}", f"{spoofs[len(spoofs) // 2]:.2f}",
                            f"{spoofs[-1]:.2f}"]  # fmt: skip
        for t in PASSIVE_SWEEP:
            wrong = sum((s >= t) if live else (s < t) for s in spoofs)
            cells.append(pct(wrong, len(spoofs)))
        rows.append(cells)
    if not rows:
        return [*out, "No session whose gestures matched.", ""]
    out.append(
        "Sessions whose gestures all matched, by their `spoof_percentage`: for people "
        "the share HIGH would refuse (spoof >= threshold), for attacks the share it would "
        "admit (spoof < threshold)."
    )
    out.append("")
    header = ["sessions", "n", "min", "median", "max", *(f"HIGH {t}" for t in PASSIVE_SWEEP)]
    out.append(table(header, rows))
    out.append("")
    return out


def webcam_section(webcam: list[dict[str, Any]]) -> list[str]:
    """Bona fide evidence for the passive check alone: real webcam photos of a live face."""
    if not webcam:
        return []
    config = EngineConfig()
    least = config.passive_hold_min_samples
    out = [
        "### Passive anti-spoofing on real webcam captures",
        "",
        f"The hands dataset's webcam photos (`{L.WEBCAM_DIR}`: one man, ten recording runs in "
        "several rooms), as the page would send them, scored by the passive check alone "
        "(photos where the mesh finds exactly one face: a raised hand sometimes covers it). A "
        f"run with at least {least} scored photos (`passive_hold_min_samples`) stands for a "
        "passive session, refused when its median score is HIGH (spoof >= "
        f"{config.passive_spoof_high}); a shorter run is not judged.",
        "",
    ]
    rows = []
    for name in WEBCAM_VARIANTS:
        rs = [r for r in webcam if r["variant"] == name]
        if not rs:
            continue
        live = sorted(v for r in rs for v in r["live"])
        refused_photos = sum(1 - v >= config.passive_spoof_high for v in live)
        judged = [r for r in rs if len(r["live"]) >= least]
        refused_runs = sum(
            passive_status(1 - statistics.median(r["live"]), config) == HIGH for r in judged
        )
        rows.append([
            name, len(rs), sum(r["photos"] for r in rs), len(live),
            f"{live[0]:.2f}" if live else "-",
            f"{statistics.median(live):.2f}" if live else "-",
            f"{refused_photos} ({pct(refused_photos, len(live))})",
            f"{refused_runs}/{len(judged)}",
        ])  # fmt: skip
    header = ["variant", "runs", "photos", "scored", "live min", "live median",
              "photos at HIGH", "judged runs refused"]  # fmt: skip
    out += [table(header, rows), ""]
    return out
