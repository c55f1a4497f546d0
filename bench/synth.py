"""Synthetic fact bases for the benchmark: N agenda items with proportional facts, risks,
sources, timeline events and people, valid under `briefgen check`.

The text is deterministic (no randomness): sentences are assembled from fixed word lists and the
item number, so runs compare like with like. Run as a script to write one file:
`python bench/synth.py 100 /tmp/facts-100.yaml`.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import yaml

_TOPICS = (
    "border security", "energy transit", "trade quotas", "grain exports", "visa facilitation",
    "maritime safety", "nuclear cooperation", "cultural exchange", "airspace management",
    "refugee return", "water sharing", "customs union", "arms control", "cyber norms",
)
_VERBS = ("reaffirmed", "questioned", "proposed", "postponed", "welcomed", "rejected", "extended")
_BODIES = ("the joint commission", "the working group", "the ministry", "the steering board")


def _topic(i: int) -> str:
    return f"{_TOPICS[i % len(_TOPICS)]} (track {i + 1})"


def _sentence(i: int, k: int) -> str:
    verb = _VERBS[(i + k) % len(_VERBS)]
    body = _BODIES[(i * 3 + k) % len(_BODIES)]
    return (
        f"On {_topic(i)}, {body} {verb} the arrangement agreed in round {k + 1}, citing "
        f"{(i * 7 + k) % 90 + 10} per cent progress against the targets set last year."
    )


def briefing(items: int) -> dict:
    """A fact base with `items` agenda items, as plain data ready for YAML."""
    n_sources = max(1, items // 5)
    n_people = 2 + items // 5
    sources = [
        {
            "id": f"src-{s}",
            "title": f"Report on bilateral relations, part {s + 1}",
            "publisher": "Synthetic News Agency",
            "date": "2018-08",
            "url": f"https://example.org/reports/{s + 1}",
            "type": "news",
        }
        for s in range(n_sources)
    ]
    people = [
        {
            "id": f"person-{p}",
            "name": f"Delegate Number {p + 1}",
            "role": "Minister of Foreign Affairs" if p < 2 else "Director General",
            "organisation": "Republic of Examplia" if p % 2 == 0 else "Federation of Samplestan",
            "side": "ours" if p % 2 == 0 else "theirs",
            "principal": p < 2,
            "bio": f"Leads on {_topic(p)}; has met the delegation {p + 2} times.",
            "sources": [f"src-{p % n_sources}"],
        }
        for p in range(n_people)
    ]
    facts, risks, agenda, timeline = [], [], [], []
    start = date(2016, 1, 1)
    for i in range(items):
        src = f"src-{i % n_sources}"
        ids = [f"fact-{i}-{k}" for k in range(3)]
        for k, fid in enumerate(ids):
            facts.append({"id": fid, "statement": _sentence(i, k), "sources": [src]})
        risk_id = f"risk-{i}"
        risks.append(
            {
                "id": risk_id,
                "title": f"Talks on {_topic(i)} stall",
                "description": f"Progress on {_topic(i)} stops and the working group is suspended.",
                "likelihood": i % 5 + 1,
                "impact": (i * 2) % 5 + 1,
                "rationale": f"Drafter's rating, from the last {i % 4 + 2} rounds of talks.",
                "mitigation": f"Agree a date for the next round on {_topic(i)} before the meeting ends.",
                "owner": "Policy Planning",
                "trend": ("rising", "steady", "falling")[i % 3],
                "agenda": [f"item-{i}"],
            }
        )
        agenda.append(
            {
                "id": f"item-{i}",
                "title": f"Cooperation on {_topic(i)}",
                "headline": f"Keep {_topic(i)} on track",
                "likelihood": ("certain", "possible", "unlikely")[i % 3],
                "summary": _sentence(i, 0),
                "position": f"We want the {_topic(i)} arrangement extended on the present terms.",
                "points": [
                    {"text": _sentence(i, 1), "facts": [ids[1]]},
                    {"text": _sentence(i, 2), "facts": [ids[2]]},
                    f"We are ready to discuss {_topic(i)} at expert level next month.",
                ],
                "if_raised": [
                    {
                        "question": f"They ask to reopen the terms on {_topic(i)}.",
                        "response": "The terms were agreed last year; we see no reason to reopen them.",
                        "facts": [ids[0]],
                    }
                ],
                "background": ids,
                "risks": [risk_id],
            }
        )
        timeline.append(
            {
                "date": (start + timedelta(days=3 * i)).isoformat(),
                "event": f"Round {i + 1} of the talks on {_topic(i)}.",
                "sources": [src],
            }
        )
    return {
        "title": f"Synthetic briefing with {items} agenda items",
        "kind": "meeting-brief",
        "marking": {"scheme": "us", "level": "UNCLASSIFIED"},
        "prepared_for": "Delegate Number 1, Minister of Foreign Affairs",
        "prepared_by": "Benchmark Desk",
        "date_prepared": date(2018, 8, 12),
        "information_as_of": date(2018, 8, 10),
        "summary": "Keep every track on course and agree dates for the next rounds.",
        "headline": "Agree dates for the next rounds",
        "context": "The ministers meet to review the tracks of their bilateral cooperation.",
        "meeting": {
            "title": "Bilateral meeting of the foreign ministers",
            "start": date(2018, 8, 13),
            "city": "Ankara",
            "country": "Turkey",
            "participants": ["person-0", "person-1"],
        },
        "people": people,
        "objectives": {
            "ours": ["Agree dates for the next rounds on every track."],
            "theirs": ["Reopen the terms of last year's arrangements."],
        },
        "agenda": agenda,
        "facts": facts,
        "risks": risks,
        "judgments": {
            "lexicon": "icd203",
            "items": [
                {
                    "statement": "The other side will agree dates for most tracks.",
                    "likelihood": "likely",
                    "confidence": "moderate",
                    "basis": [facts[0]["id"]],
                }
            ],
        },
        "timeline": timeline,
        "sources": sources,
        "press_line": "The ministers reviewed their cooperation and agreed to meet again.",
        "next_steps": ["Send the dates agreed to every working group."],
        "output": {"page_budget": 20},
    }


def write(items: int, path: Path) -> Path:
    """Write the fact base with `items` agenda items to `path` as YAML."""
    path.write_text(
        yaml.safe_dump(briefing(items), sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )
    return path


if __name__ == "__main__":
    write(int(sys.argv[1]), Path(sys.argv[2]))
