#!/usr/bin/env python3
"""Write a synthetic data package of N records in every resource, deterministically from a seed.

    python scripts/generate_synthetic.py OUT_DIR -n 100000 --seed 1 [--inject-errors [PER_KIND]] [--non-verbatim SHARE]

OUT_DIR gets the layout of the real package: ``datapackage.json``,
``dataset/tables/csv/<resource>.csv`` (UTF-8, CRLF, minimal quoting: the bytes
the build writes) and ``seeds/syn-NNNNNN.txt``, the archived texts the
citations quote. N rows go to sources, actors, events, statements and
figures; claims get 3N, citations about 1.3 per claim, claim_links about 0.2
per claim. The text is meant to look like the real thing: Hangul, Cyrillic,
typographic and straight quotes, commas, line breaks inside quoted cells and
excerpts from a dozen characters to over a thousand.

As in the real data, about 18 % of the excerpts (``--non-verbatim SHARE``)
differ from their archived span only as the matching rules allow
(src/nk_troops/excerpts.py): the archive holds a sentence in NFD (Hangul,
Cyrillic, Latin), with other spacing (two spaces, a no-break space, a line
break beside a space) or a word broken across lines, where the excerpt gives
the clean words; or the excerpt has the other kind of quotes, or is in NFD.
The rest are their span byte for byte (which may hold such variants too).

With ``--inject-errors`` the generator also breaks PER_KIND rows (default 3)
for every kind of error the engine knows, and writes ``injected.json``: the
list of every problem the engine must report, as {kind, resource, row,
field, type} (row numbered as frictionless-py does: the header is row 1).
Without it, the package is valid and the engine must report nothing.

Scripted sources at scale write tables like these, not one YAML file per
record; the engine (``nk_troops.engine``) validates them directly.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nk_troops import models as M
from nk_troops import vocabularies as V
from nk_troops.descriptor import CSV_DIR, dump_json, package
from nk_troops.engine.spec import table_spec
from nk_troops.engine.writer import HashingFile, cells, csv_rows, header, resource_descriptor
from nk_troops.excerpts import goes_on_a_word
from nk_troops.vague_dates import parse_vague_date
from nk_troops.vocabularies import CitationVoice, Hedge, PlacePrecision, Provenance

CHUNK = 200_000
NON_VERBATIM = 0.18  # share of excerpts that differ from their span as the matching rules allow (as in the real data)

# --------------------------------------------------------------------------- text pools

OUTLETS = [
    ("korea-times", "The Korea Times", "www.koreatimes.co.kr", "en"),
    ("yonhap", "Yonhap News Agency", "en.yna.co.kr", "en"),
    ("yonhap-ko", "연합뉴스", "www.yna.co.kr", "ko"),
    ("hankyoreh", "한겨레", "www.hani.co.kr", "ko"),
    ("kyiv-independent", "The Kyiv Independent", "kyivindependent.com", "en"),
    ("ukrainska-pravda", "Українська правда", "www.pravda.com.ua", "uk"),
    ("tass", "ТАСС", "tass.ru", "ru"),
    ("meduza", "Медуза", "meduza.io", "ru"),
    ("nk-news", "NK News", "www.nknews.org", "en"),
    ("reuters", "Reuters", "www.reuters.com", "en"),
]
BYLINES = [
    "Kateryna Denisova",
    "Choi Won-suk",
    "김민수",
    "이효진 기자",
    "Ольга Петренко",
    "Олександр Шевченко",
    "Lee Hyo-jin, Kim Tae-gyu",
    "Анна Иванова и Сергей Кузнецов",
    "Staff reporter",
    "Jeong Da-min",
]
BYLINE_REASONS = ["The article carries no byline.", "The agency report is unsigned.", "기사에 기자 이름이 없다."]
HEADLINE_A = [
    "Kyiv open to talks",
    "North Korean troops",
    "Seoul says",
    "Zelensky: captured soldiers",
    "NIS estimates",
    "Північнокорейські солдати",
    "북한군 포로",
    "Пхеньян отрицает",
    "Pentagon confirms",
    "Ukraine's military intelligence",
]
HEADLINE_B = [
    "on captured soldiers",
    "suffer heavy losses in Kursk",
    '"want to live in South Korea"',
    "about 11,000 deployed",
    "в Курській області",
    "귀순 의사 밝혀",
    "участие в боях",
    ", officials say",
    "— report",
    'after "fierce" fighting',
]
PEOPLE = [
    "Dmytro Ponomarenko",
    "Volodymyr Zelensky",
    "Kim Jong Un",
    "윤석열",
    "조태열",
    "Володимир Зеленський",
    "Сергей Шойгу",
    "Kyrylo Budanov",
    "Lee Seong-kweun",
    "Андрій Сибіга",
    "Park Sun-won",
    "Rustem Umerov",
]
BODIES = [
    "Ukrainian forces",
    "North Korean troops",
    "South Korea's National Intelligence Service",
    "국가정보원",
    "Міністерство оборони України",
    "Министерство обороны России",
    "NATO",
    "the Pentagon",
    "Korean People's Army",
    "Служба безпеки України",
    "대한민국 합동참모본부",
    "Russian armed forces",
]
ROLES = [
    "Ambassador of Ukraine to South Korea",
    "President of Ukraine",
    "Director of the NIS",
    "국가정보원 제1차장",
    "Министр обороны",
    'spokesperson, "for now"',
    "Head of the Defence Intelligence of Ukraine",
    "lawmaker, People Power Party",
]
COUNTRIES = ["KP", "KR", "RU", "UA", "US", "CN", "JP", "GB", "FR", "DE"]
HEDGE_WORDS = ["are likely", "may have been", "appear to have", "suggest", "claimed", "reportedly", "denied"]
RANGE = V.Qualifier.values().index("range")
PLACES = [
    "Kursk region",
    "Курська область",
    "the Kursk region, near Sudzha",
    "Seoul",
    "서울",
    "Pyongyang",
    "Kyiv",
    "Київ",
    "Vladivostok",
    "Владивосток",
    "Primorsky Krai, Russia's Far East",
    "Korenevo district",
]
VERBS = [
    "captured",
    "said it had identified",
    "released footage of",
    "reported",
    "questioned",
    "transferred",
    "заявили, що захопили",
    "밝혔다:",
    "сообщили о",
    "offered to exchange",
    "confirmed the deployment of",
    "treated",
]
OBJECTS = [
    "two North Korean soldiers",
    "about 11,000 troops",
    '"heavy losses"',
    "a wounded soldier, 26, from Pyongyang",
    "двох північнокорейських військових",
    "북한군 포로 2명",
    "около 3 000 человек",
    'the prisoners\' "wish" to defect',
    "interrogation footage",
    "a unit of the Storm Corps",
    "300 killed and 2,700 wounded",
    "soldiers, sailors and officers",
]
QUOTES = [
    "We are open for a dialogue with international partners, in particular the Republic of Korea.",
    "Ukraine wants to end this war more than any other country.",
    "북한군은 현대전에 대한 이해가 부족해 대규모 사상자가 발생하고 있다.",
    "Мы не подтверждаем эту информацию, — сказал он.",
    "Ми готові передати їх Кім Чен Ину лише в обмін на наших людей.",
    'The soldier said he "did not know" he was going to fight Ukraine, only that it was training.',
    "I want to go to South Korea, he said, according to the lawmaker.",
    "Their losses are heavy: around 4,000 killed or wounded, by our count.",
    "포로가 귀순 의사를 밝힐 경우 전원 수용한다는 원칙이다.",
    "Это провокация, и ничего больше.",
]
SUBJECTS = [
    "North Korean military personnel fighting in Russia",
    "북한군 사상자",
    "captured North Korean soldiers",
    "північнокорейські військові в Курській області",
    "troops sent to Russia, per the NIS",
    "солдаты КНДР",
    'North Korean soldiers killed, "mostly by drones"',
    "deployed KPA soldiers",
]
NOTES = [
    "Seed 001 gives the same quote, shortened.",
    "두 기사가 같은 수치를 인용한다.",
    "The figure is rounded in the headline.",
    "Источник ссылается на разведку.",
    "Both sources name the ambassador, with different spellings: Ponomarenko, Пономаренко.",
    'Wording differs: "about" vs "around".',
    "Borderline: the claimant is implied, not named.",
    "Дата вказана лише в підписі до фото.",
]
REASONS = [
    "The sources do not say when.",
    "기사에 날짜가 없다.",
    "Источники не называют дату.",
    'Not stated; the report is undated, "recent".',
]
RELAY_NOTES = [
    "Built on The Korea Times' written interview, which it names.",
    "연합뉴스 보도를 인용했다.",
    "Restates a TASS report, credited at the end.",
]
LINK_NOTES = [
    "Both count North Korean casualties in Kursk.",
    "Different claimants, same period.",
    "Одна цифра включає поранених.",
]

# sentences of the archived texts; a citation quotes one to eight in a row
SENTENCES = [
    "The Ukrainian government is open to discussions with South Korea regarding the potential transfer of two captured North Korean soldiers.",
    "In mid-January, Ukrainian forces captured two North Korean soldiers who had been fighting for Russia in the Kursk region.",
    '"In that case, I expect we will consult with South Korea on the modalities of their transfer," he said.',
    "According to the NIS, about 300 North Korean soldiers have been killed and 2,700 wounded.",
    "국가정보원은 북한군 사상자가 3천 명을 넘어섰다고 밝혔다.",
    "포로 중 한 명은 한국으로 가고 싶다는 의사를 밝혔다고 국회 정보위원회 위원이 전했다.",
    "Зеленський заявив, що Україна готова передати полонених Кім Чен Ину в обмін на українських військових.",
    "За даними розвідки, в Курській області воюють близько 11 тисяч військових КНДР.",
    "Песков отказался комментировать сообщения о северокорейских военных.",
    "«Это не наше дело», — сказал представитель МИД.",
    "The soldiers, aged 20 and 26, were treated for injuries and questioned by the SBU.",
    "One of them said he had been told he was going to a training exercise, not to war.",
    "Officials in Seoul declined to say whether formal talks had begun.",
    "The footage, released on Sunday, shows one soldier with bandaged hands; the other has a jaw injury.",
    "Casualty figures could not be independently verified.",
    "“We will not give up on them,” the lawmaker said, using typographic quotes.",
    "Le ministère français a évoqué une escalade après le déploiement de soldats nord-coréens.",
]

COMMON_TITLES = {"sources": "syn"}


# --------------------------------------------------------------------------- helpers


def _pool(values: list[str]) -> pa.Array:
    return pa.array(values, pa.string())


def _take(pool: list[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    p = pool if isinstance(pool, pa.Array) else _pool(pool)
    return p.take(pa.array(idx.astype(np.int32)))


def _null_where(arr: pa.Array, nulls: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(nulls), pa.scalar(None, arr.type), arr)


def _padded(numbers: np.ndarray, width: int = 7) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(numbers.astype(np.int64)), pa.string()), width=width, padding="0")


def _join(*parts, sep: str = " ") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _slug(values: list[str]) -> list[str]:
    return [v.lower().replace("_", "-") for v in values]


@dataclass
class DatePool:
    text: pa.Array
    start: pa.Array
    end: pa.Array
    precision: pa.Array
    reason: pa.Array
    kind: np.ndarray  # precision per entry, as str
    weights: np.ndarray


def make_date_pool(rng: np.random.Generator) -> DatePool:
    import datetime as dt

    texts: list[str] = []
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    day0 = dt.date(2023, 6, 1)
    for k in range(0, 944):
        texts.append((day0 + dt.timedelta(days=k)).isoformat())
    for y in (2023, 2024, 2025):
        for mi, m in enumerate(months):
            texts.append(f"{m} {y}")
            texts.append(f"{y}-{mi + 1:02d}")
            for part in ("early", "mid", "late"):
                texts.append(f"{part}-{m} {y}")
        for s in ("spring", "summer", "autumn", "winter"):
            texts.append(f"{s} {y}")
        for part in ("early", "mid", "late"):
            texts.append(f"{part} {y}")
        texts.append(str(y))
    for _ in range(200):
        a = day0 + dt.timedelta(days=int(rng.integers(0, 900)))
        b = a + dt.timedelta(days=int(rng.integers(1, 60)))
        texts.append(f"{a.isoformat()}..{b.isoformat()}")
        c = day0 + dt.timedelta(days=int(rng.integers(0, 900)))
        texts.append(f"by {c.isoformat()}")
        texts.append(f"from {c.isoformat()}")
    parsed = [parse_vague_date(t) for t in texts]
    n_known = len(parsed)
    tx = [p.text for p in parsed] + [None] * len(REASONS)
    st = [p.start for p in parsed] + [None] * len(REASONS)
    en = [p.end for p in parsed] + [None] * len(REASONS)
    pr = [p.precision.value for p in parsed] + ["unknown"] * len(REASONS)
    rs = [None] * n_known + REASONS
    kind = np.array(pr)
    w = np.where(kind == "day", 6.0, 1.0)
    w[kind == "unknown"] = 8.0
    w = w / w.sum()
    return DatePool(
        pa.array(tx, pa.string()),
        pa.array(st, pa.date32()),
        pa.array(en, pa.date32()),
        pa.array(pr, pa.string()),
        pa.array(rs, pa.string()),
        kind,
        w,
    )


@dataclass
class Archive:
    """The archived texts and, for each, candidate excerpts (spans of whole sentences)."""

    texts: list[str]
    files: list[str]
    sha: list[str]
    span_text: pa.Array  # K*S excerpts
    span_start: np.ndarray
    span_end: np.ndarray
    spans_per_text: int
    span_verbatim: np.ndarray  # the excerpt is its span byte for byte


# Where an archived text differs from the words a citation gives, as the matching rules allow
# (src/nk_troops/excerpts.py): a sentence stored in NFD, another spacing, a word broken across lines.
ARCHIVE_VARIANT = 0.35  # share of the archived sentences stored so
ARCHIVE_SPACES = ["  ", "\xa0", " \n", "\n ", "\n\n"]  # never a lone line break between letters: a broken word
EXCERPT_KINDS = {"archive": 0.6, "quotes": 0.3, "nfd-excerpt": 0.1}  # how a non-verbatim excerpt differs


def _vary_sentence(vrng: np.random.Generator, sent: str) -> str:
    """The sentence as an archive may hold it: in NFD, with other spacing, or with a word broken across lines."""
    kinds = []
    if unicodedata.normalize("NFD", sent) != sent:
        kinds.append("nfd")
    spaces = [i for i, c in enumerate(sent) if c == " "]
    if spaces:
        kinds.append("spacing")
    breaks = [  # inside a word of six letters or more, before a letter that is no capital (excerpts' rule 3)
        m.start() + k
        for m in re.finditer(r"[^\W\d_]{6,}", sent)
        for k in range(2, len(m.group()) - 1)
        if goes_on_a_word(m.group()[k])
    ]
    if breaks:
        kinds.append("broken")
    kind = kinds[int(vrng.integers(0, len(kinds)))]
    if kind == "nfd":
        return unicodedata.normalize("NFD", sent)
    if kind == "spacing":
        at = spaces[int(vrng.integers(0, len(spaces)))]
        return sent[:at] + ARCHIVE_SPACES[int(vrng.integers(0, len(ARCHIVE_SPACES)))] + sent[at + 1 :]
    at = breaks[int(vrng.integers(0, len(breaks)))]
    return sent[:at] + "\n" + sent[at:]


_QUOTE_SWAPS = str.maketrans({"“": '"', "”": '"', "'": "’", "‘": "'", "’": "'"})


def _swap_quotes(text: str) -> str:
    """Straight quotes made typographic and typographic made straight, as a citing script might write them: the
    straight double quotes open and close in turn."""
    parts = [part.translate(_QUOTE_SWAPS) for part in text.split('"')]
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        out += ["“" if i % 2 == 0 else "”", part]
    return "".join(out)


def _variants(verbatim: str, canonical: str) -> dict[str, str]:
    """The excerpts a citation may give for a span whose words are ``verbatim`` (``canonical``: the clean
    sentences), each differing from it only as the matching rules allow, by kind."""
    out = {}
    if canonical != verbatim:
        out["archive"] = canonical
    if _swap_quotes(verbatim) != verbatim:
        out["quotes"] = _swap_quotes(verbatim)
    nfd = unicodedata.normalize("NFD", verbatim)
    if nfd != verbatim and len(nfd) <= 2000:
        out["nfd-excerpt"] = nfd
    return out


def make_archive(
    rng: np.random.Generator,
    k: int,
    spans: int = 48,
    non_verbatim: float = 0.0,
    vrng: np.random.Generator | None = None,
) -> Archive:
    """k archived texts; ``vrng`` draws how texts and excerpts differ (apart from ``rng``, so that the rest of
    the package is the same whatever the share of non-verbatim excerpts)."""
    vrng = vrng if vrng is not None else np.random.default_rng(0)
    texts, files, shas = [], [], []
    s_text, s_start, s_end, s_verbatim = [], [], [], []
    candidates: list[tuple[str, dict[str, str]]] = []  # per span of the current text: its words and variants
    for i in range(k):
        n_par = int(rng.integers(3, 8))
        sentences: list[tuple[int, int, str, bool]] = []  # (start, end, clean words, stored otherwise)
        out = f"Synthetic archived source {i}\n"
        for _ in range(n_par):
            n_sent = int(rng.integers(2, 7))
            for s in range(n_sent):
                clean = SENTENCES[int(rng.integers(0, len(SENTENCES)))]
                sent = _vary_sentence(vrng, clean) if vrng.random() < ARCHIVE_VARIANT else clean
                if s:
                    out += " "
                sentences.append((len(out), len(out) + len(sent), clean, sent != clean))
                out += sent
            out += "\n" if rng.random() < 0.7 else "\n\n"
        texts.append(out)
        raw = out.encode("utf-8")
        files.append(f"seeds/syn-{i:06d}.txt")
        shas.append(hashlib.sha256(raw).hexdigest())
        for _ in range(spans):
            a = int(rng.integers(0, len(sentences)))
            length = int(min(len(sentences) - a, rng.choice([1, 1, 1, 2, 2, 3, 5, 8])))
            st, en = sentences[a][0], sentences[a + length - 1][1]
            words = [c for _, _, c, _ in sentences[a : a + length]]
            if rng.random() < 0.15 and not sentences[a][3]:  # a clause: from a comma inside the first sentence
                inner = out.find(", ", st, sentences[a][1])
                if inner != -1 and en - inner > 12:
                    words[0] = words[0][inner + 2 - st :]
                    st = inner + 2
            candidates.append((out[st:en], _variants(out[st:en], " ".join(words))))
            s_start.append(st)
            s_end.append(en)
        # non_verbatim of the spans (of those that can differ at all) differ, in a kind drawn by EXCERPT_KINDS
        share = non_verbatim / max(non_verbatim, sum(bool(v) for _, v in candidates) / spans, 1e-9)
        for verbatim, variants in candidates:
            excerpt = verbatim
            if variants and vrng.random() < share:
                names = sorted(variants)
                weights = np.array([EXCERPT_KINDS[n] for n in names])
                excerpt = variants[names[int(vrng.choice(len(names), p=weights / weights.sum()))]]
            s_text.append(excerpt)
            s_verbatim.append(excerpt == verbatim)
        candidates.clear()
    return Archive(
        texts,
        files,
        shas,
        pa.array(s_text, pa.string()),
        np.array(s_start, np.int64),
        np.array(s_end, np.int64),
        spans,
        np.array(s_verbatim, bool),
    )


# --------------------------------------------------------------------------- the plan: every random choice, drawn once


@dataclass
class Plan:
    n: int
    k: int  # archived sources
    rng: np.random.Generator
    dates: DatePool
    archive: Archive
    a: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def draw(n: int, seed: int, non_verbatim: float = NON_VERBATIM) -> Plan:
    rng = np.random.default_rng(seed)
    k = max(1, min(n // 10, 1000))
    plan = Plan(
        n, k, rng, make_date_pool(rng), make_archive(rng, k, 48, non_verbatim, np.random.default_rng([seed, 1]))
    )
    dp = plan.dates
    ndates = len(dp.kind)

    def u(size):
        return rng.random(size)

    def ints(hi, size):
        return rng.integers(0, hi, size)

    i = np.arange(n)
    lower = lambda frac: np.where((u(n) < frac) & (i > 0), (u(n) * np.maximum(i, 1)).astype(np.int64), -1)  # noqa: E731
    plan.a["sources"] = dict(
        outlet=ints(len(OUTLETS), n),
        year=ints(3, n),
        kind=ints(4, n),
        outlet_unknown=u(n) < 0.05,
        head_a=ints(len(HEADLINE_A), n),
        head_b=ints(len(HEADLINE_B), n),
        head_unknown=u(n) < 0.03,
        byline=ints(len(BYLINES), n),
        byline_unknown=u(n) < 0.2,
        byline_reason=ints(len(BYLINE_REASONS), n),
        date=rng.choice(ndates, n, p=dp.weights),
        url_unknown=u(n) < 0.3,
        relay=lower(0.1),
        relay2=lower(0.03),
        notes=ints(len(NOTES), n),
        notes_null=u(n) < 0.7,
        notes_two=u(n) < 0.3,
        reason=ints(len(REASONS), n),
    )
    plan.a["actors"] = dict(
        name_person=u(n) < 0.5,
        person=ints(len(PEOPLE), n),
        body=ints(len(BODIES), n),
        type=ints(5, n),
        country=ints(len(COUNTRIES), n),
        country_null=u(n) < 0.15,
        role=ints(len(ROLES), n),
        role_null=u(n) < 0.5,
        affiliation=lower(0.3),
        notes=ints(len(NOTES), n),
        notes_null=u(n) < 0.8,
    )

    def claim_common() -> dict:
        return dict(
            provenance=ints(2, n),
            notes=ints(len(NOTES), n),
            notes_null=u(n) < 0.7,
            notes_two=u(n) < 0.3,
            date=rng.choice(ndates, n, p=dp.weights),
            place=ints(len(PLACES), n),
            place_null=u(n) < 0.4,
            country=ints(len(COUNTRIES), n),
            country_null=u(n) < 0.4,
            hedge=np.where(u(n) < 0.6, 0, ints(len(Hedge), n)),
            hedge_words=ints(len(HEDGE_WORDS), n),
            place_precision=ints(len(PlacePrecision), n),
        )

    plan.a["events"] = dict(
        type=ints(13, n),
        subj=ints(len(BODIES), n),
        verb=ints(len(VERBS), n),
        obj=ints(len(OBJECTS), n),
        actor=np.where(u(n) < 0.8, ints(n, n), -1),
        counterpart=np.where(u(n) < 0.4, ints(n, n), -1),
        claimant=np.where(u(n) < 0.5, ints(n, n), -1),
        **claim_common(),
    )
    plan.a["statements"] = dict(
        speaker=ints(n, n),
        form=ints(2, n),
        quote=ints(len(QUOTES), n),
        quote2=ints(len(QUOTES), n),
        two=u(n) < 0.25,
        quote_style=ints(3, n),
        medium=ints(9, n),
        event=np.where(u(n) < 0.3, ints(n, n), -1),
        **claim_common(),
    )
    measure = ints(8, n)
    share = measure == 6
    qualifier = ints(len(V.Qualifier), n)
    qualifier[share & (qualifier == RANGE)] = 2  # shares are single values
    is_range = qualifier == RANGE
    base = rng.integers(1, 20_000, n).astype(np.float64)
    span = rng.integers(1, 5_000, n).astype(np.float64)
    value = np.where(share, np.round(u(n), 4), base)
    has_value = ~is_range | (u(n) < 0.5)
    low = np.where(is_range, base, np.nan)
    high = np.where(is_range, base + span, np.nan)
    value = np.where(is_range & has_value, base + np.floor(span / 2), value)
    value = np.where(has_value, value, np.nan)
    plan.a["figures"] = dict(
        measure=measure,
        subject=ints(len(SUBJECTS), n),
        value=value,
        low=low,
        high=high,
        qualifier=qualifier,
        unit=share.astype(np.int64),
        claimant=np.where(u(n) < 0.7, ints(n, n), -1),
        statement=np.where(u(n) < 0.2, ints(n, n), -1),
        **claim_common(),
    )
    # citations: 1 to 3 per claim, each quoting a candidate excerpt of an archived text
    n_claims = 3 * n
    per_claim = rng.choice([1, 2, 3], n_claims, p=[0.75, 0.2, 0.05])
    cit_claim = np.repeat(np.arange(n_claims), per_claim)
    first = np.concatenate([[0], np.cumsum(per_claim)[:-1]])
    cit_pos = np.arange(len(cit_claim)) - np.repeat(first, per_claim) + 1
    cit_source = ints(k, len(cit_claim))
    spt = plan.archive.spans_per_text
    local = ints(spt, len(cit_claim))
    starts, ends = plan.archive.span_start, plan.archive.span_end
    for _ in range(spt):  # a claim cites a place once: a repeat of an earlier citation's place moves to the next span
        span = cit_source * spt + local
        again = np.zeros(len(local), bool)
        for back in (1, 2):
            i = np.arange(back, len(local))
            j = i - back
            place = (starts[span[i]] == starts[span[j]]) & (ends[span[i]] == ends[span[j]])
            again[i] |= (cit_claim[i] == cit_claim[j]) & (cit_source[i] == cit_source[j]) & place
        if not again.any():
            break
        local[again] = (local[again] + 1) % spt
    cit_span = cit_source * spt + local
    plan.a["citations"] = dict(
        claim=cit_claim,
        pos=cit_pos,
        source=cit_source,
        span=cit_span,
        per_claim=per_claim,
        voice=ints(len(CitationVoice), len(cit_claim)),
    )
    linked = np.flatnonzero(u(n_claims) < 0.2)
    other = ints(n_claims - 1, len(linked)) if n_claims > 1 else np.zeros(len(linked), np.int64)
    other = np.where(other >= linked, other + 1, other)  # never itself
    plan.a["claim_links"] = dict(
        claim=linked,
        other=other,
        relation=ints(4, len(linked)),
        note=ints(len(LINK_NOTES), len(linked)),
        note_null=u(len(linked)) < 0.5,
    )
    # each source's relays (rows of source_relays, in source order): the first, and for a few a second one
    relay, relay2 = plan.a["sources"]["relay"], plan.a["sources"]["relay2"]
    relay2 = np.where((relay >= 0) & (relay2 != relay), relay2, -1)
    count = (relay >= 0).astype(np.int64) + (relay2 >= 0)
    first = np.repeat(np.arange(n), count)
    pos = np.arange(len(first)) - np.repeat(np.cumsum(count) - count, count)  # 0 or 1 within each source
    firsts = np.where(relay >= 0, relay, relay2)
    plan.a["source_relays"] = dict(
        source=first,
        pos=pos,
        other=np.where(pos == 0, firsts[first], relay2[first]),
        per_source=count[first],
        what=ints(len(RELAY_NOTES), len(first)),
    )
    plan.rows = {
        "source_relays": len(first),
        "sources": n,
        "actors": n,
        "claims": n_claims,
        "events": n,
        "statements": n,
        "figures": n,
        "citations": len(cit_claim),
        "claim_links": len(linked),
    }
    return plan


# --------------------------------------------------------------------------- ids


def source_ids(plan: Plan, idx: np.ndarray) -> pa.Array:
    a = plan.a["sources"]
    slug = _take([o[0] for o in OUTLETS], a["outlet"][idx])
    year = _take(["2023", "2024", "2025"], a["year"][idx])
    return _join(slug, year, _padded(idx), sep="-")


def actor_ids(plan: Plan, idx: np.ndarray) -> pa.Array:
    a = plan.a["actors"]
    people = [
        p
        for p in _slug(
            [
                "dmytro-ponomarenko",
                "volodymyr-zelensky",
                "kim-jong-un",
                "yoon-suk-yeol",
                "cho-tae-yul",
                "zelensky-uk",
                "sergei-shoigu",
                "kyrylo-budanov",
                "lee-seong-kweun",
                "andrii-sybiha",
                "park-sun-won",
                "rustem-umerov",
            ]
        )
    ]
    bodies = [
        "ukrainian-forces",
        "north-korean-troops",
        "south-korea-nis",
        "nis-ko",
        "ukraine-mod",
        "russia-mod",
        "nato",
        "pentagon",
        "kpa",
        "sbu",
        "jcs",
        "russian-forces",
    ]
    slug = pc.if_else(pa.array(a["name_person"][idx]), _take(people, a["person"][idx]), _take(bodies, a["body"][idx]))
    return _join(slug, _padded(idx), sep="-")


EVENT_TYPES = V.EventType.values()
MEASURES = V.Measure.values()


def event_ids(plan: Plan, idx: np.ndarray) -> pa.Array:
    t = _take(_slug(EVENT_TYPES), plan.a["events"]["type"][idx])
    return _join(pa.scalar("ev"), t, _padded(idx), sep="-")


def statement_ids(plan: Plan, idx: np.ndarray) -> pa.Array:
    return _join(pa.scalar("st"), _padded(idx), sep="-")


def figure_ids(plan: Plan, idx: np.ndarray) -> pa.Array:
    t = _take(_slug(MEASURES), plan.a["figures"]["measure"][idx])
    return _join(pa.scalar("fg"), t, _padded(idx), sep="-")


def claim_ids(plan: Plan, idx: np.ndarray) -> pa.Array:
    n = plan.n
    if len(idx) == 0:
        return pa.array([], pa.string())
    parts = []
    for lo, fn in ((0, event_ids), (n, statement_ids), (2 * n, figure_ids)):
        sel = (idx >= lo) & (idx < lo + n)
        parts.append((sel, fn(plan, idx[sel] - lo)))
    order = np.concatenate([np.flatnonzero(s) for s, _ in parts])
    values = pa.concat_arrays([v for _, v in parts])
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return values.take(pa.array(inverse))


def _ref(fn, plan: Plan, idx: np.ndarray) -> pa.Array:
    """Ids for a reference column, null where idx is -1."""
    safe = np.where(idx < 0, 0, idx)
    return _null_where(fn(plan, safe), idx < 0)


# --------------------------------------------------------------------------- tables (typed columns for rows lo..hi)


def _date_cols(plan: Plan, prefix: str, pick: np.ndarray) -> dict[str, pa.Array]:
    dp = plan.dates
    ix = pa.array(pick.astype(np.int32))
    return {
        f"{prefix}_text": dp.text.take(ix),
        f"{prefix}_start": dp.start.take(ix),
        f"{prefix}_end": dp.end.take(ix),
        f"{prefix}_precision": dp.precision.take(ix),
        f"{prefix}_missing_reason": dp.reason.take(ix),
    }


def _notes(a: dict, idx: np.ndarray) -> pa.Array:
    one = _take(NOTES, a["notes"][idx])
    two = _join(one, _take(NOTES, (a["notes"][idx] + 3) % len(NOTES)), sep="\n")
    both = pc.if_else(pa.array(a.get("notes_two", np.zeros(len(a["notes"]), bool))[idx]), two, one)
    return _null_where(both, a["notes_null"][idx])


def _claim_common(plan: Plan, a: dict, idx: np.ndarray) -> dict[str, pa.Array]:
    asserted = a["hedge"][idx] == 0
    return {
        "hedge": _take(Hedge.values(), a["hedge"][idx]),
        "hedge_words": _null_where(_take(HEDGE_WORDS, a["hedge_words"][idx]), asserted),
        "provenance": _take(Provenance.values(), a["provenance"][idx]),
        "notes": _notes(a, idx),
    }


def _place_cols(a: dict, idx: np.ndarray) -> dict[str, pa.Array]:
    """place, its precision (given with a place only) and, for places in Kursk, the ISO 3166-2 code."""
    no_place = a["place_null"][idx]
    place = _take(PLACES, a["place"][idx])
    country = _take(COUNTRIES, a["country"][idx])
    kursk = ~no_place & ~a["country_null"][idx] & (np.array(COUNTRIES)[a["country"][idx]] == "RU")
    return {
        "place": _null_where(place, no_place),
        "place_precision": _null_where(_take(PlacePrecision.values(), a["place_precision"][idx]), no_place),
        "place_code": _null_where(pa.array(["RU-KRS"] * len(idx)), ~kursk),
        "country": _null_where(country, a["country_null"][idx]),
    }


def table_sources(plan: Plan, idx: np.ndarray) -> dict[str, pa.Array]:
    a = plan.a["sources"]
    archived = idx < plan.k
    safe_k = np.where(archived, idx, 0)
    outlet = _take([o[1] for o in OUTLETS], a["outlet"][idx])
    reason = _take(REASONS, a["reason"][idx])
    headline = _join(_take(HEADLINE_A, a["head_a"][idx]), _take(HEADLINE_B, a["head_b"][idx]))
    byline = _take(BYLINES, a["byline"][idx])
    url = _join(
        pa.scalar("https:/"),
        _take([o[2] for o in OUTLETS], a["outlet"][idx]),
        pa.scalar("news"),
        pc.cast(pa.array(idx), pa.string()),
        sep="/",
    )
    cols = {
        "source_id": source_ids(plan, idx),
        "status": _take(["archived", "not_archived"], (~archived).astype(np.int64)),
        "archived_file": _null_where(_take(plan.archive.files, safe_k), ~archived),
        "sha256": _null_where(_take(plan.archive.sha, safe_k), ~archived),
        "kind": _take(V.SourceKind.values(), a["kind"][idx]),
        "full_text": pa.array([V.TextRights.not_republishable.value] * len(idx)),
        "full_text_reason": pa.nulls(len(idx), pa.string()),
        "outlet": _null_where(outlet, a["outlet_unknown"][idx]),
        "outlet_missing_reason": _null_where(reason, ~a["outlet_unknown"][idx]),
        "headline": _null_where(headline, a["head_unknown"][idx]),
        "headline_missing_reason": _null_where(reason, ~a["head_unknown"][idx]),
        "byline": _null_where(byline, a["byline_unknown"][idx]),
        "byline_missing_reason": _null_where(_take(BYLINE_REASONS, a["byline_reason"][idx]), ~a["byline_unknown"][idx]),
        **_date_cols(plan, "published", a["date"][idx]),
        "url": _null_where(url, a["url_unknown"][idx]),
        "url_missing_reason": _null_where(
            pa.array(["The archived copy does not show the address."] * len(idx)), ~a["url_unknown"][idx]
        ),
        "language": _take([o[3] for o in OUTLETS], a["outlet"][idx]),
        "notes": _notes(a, idx),
    }
    return cols


def table_actors(plan: Plan, idx: np.ndarray) -> dict[str, pa.Array]:
    a = plan.a["actors"]
    name = pc.if_else(pa.array(a["name_person"][idx]), _take(PEOPLE, a["person"][idx]), _take(BODIES, a["body"][idx]))
    return {
        "actor_id": actor_ids(plan, idx),
        "name": name,
        "actor_type": _take(V.ActorType.values(), a["type"][idx]),
        "country": _null_where(_take(COUNTRIES, a["country"][idx]), a["country_null"][idx]),
        "role": _null_where(_take(ROLES, a["role"][idx]), a["role_null"][idx]),
        "affiliation_actor_id": _ref(actor_ids, plan, a["affiliation"][idx]),
        "notes": _notes(a, idx),
    }


def table_claims(plan: Plan, idx: np.ndarray) -> dict[str, pa.Array]:
    kinds = np.minimum(idx // plan.n, 2)
    return {"claim_id": claim_ids(plan, idx), "record_type": _take(["event", "statement", "figure"], kinds)}


def table_events(plan: Plan, idx: np.ndarray) -> dict[str, pa.Array]:
    a = plan.a["events"]
    summary = _join(_take(BODIES, a["subj"][idx]), _take(VERBS, a["verb"][idx]), _take(OBJECTS, a["obj"][idx]))
    summary = _join(
        summary,
        pc.if_else(
            pa.array(a["place_null"][idx]),
            pa.scalar("."),
            _join(pa.scalar(" in"), _take(PLACES, a["place"][idx]), pa.scalar("."), sep=" "),
        ),
        sep="",
    )
    return {
        "event_id": event_ids(plan, idx),
        "event_type": _take(EVENT_TYPES, a["type"][idx]),
        "summary": summary,
        **_date_cols(plan, "date", a["date"][idx]),
        **_place_cols(a, idx),
        "actor_id": _ref(actor_ids, plan, a["actor"][idx]),
        "counterpart_actor_id": _ref(actor_ids, plan, a["counterpart"][idx]),
        "claimant_actor_id": _ref(actor_ids, plan, a["claimant"][idx]),
        **_claim_common(plan, a, idx),
    }


def table_statements(plan: Plan, idx: np.ndarray) -> dict[str, pa.Array]:
    a = plan.a["statements"]
    q1 = _take(QUOTES, a["quote"][idx])
    q = pc.if_else(pa.array(a["two"][idx]), _join(q1, _take(QUOTES, a["quote2"][idx]), sep=" "), q1)
    style = a["quote_style"][idx]
    verbatim = a["form"][idx] == 0
    quoted = pc.if_else(
        pa.array(style == 0),
        _join(pa.scalar('"'), q, pa.scalar('"'), sep=""),
        pc.if_else(pa.array(style == 1), _join(pa.scalar("«"), q, pa.scalar("»"), sep=""), q),
    )
    return {
        "statement_id": statement_ids(plan, idx),
        "speaker_actor_id": actor_ids(plan, a["speaker"][idx]),
        "form": _take(V.StatementForm.values(), a["form"][idx]),
        "text": pc.if_else(pa.array(verbatim), quoted, q),
        **_date_cols(plan, "date", a["date"][idx]),
        "medium": _take(V.Medium.values(), a["medium"][idx]),
        "event_id": _ref(event_ids, plan, a["event"][idx]),
        **_claim_common(plan, a, idx),
    }


def table_figures(plan: Plan, idx: np.ndarray) -> dict[str, pa.Array]:
    a = plan.a["figures"]

    def num(x):
        return pa.array(x[idx], pa.float64(), from_pandas=True)

    return {
        "figure_id": figure_ids(plan, idx),
        "measure": _take(MEASURES, a["measure"][idx]),
        "subject": _take(SUBJECTS, a["subject"][idx]),
        "value": num(a["value"]),
        "value_low": num(a["low"]),
        "value_high": num(a["high"]),
        "qualifier": _take(V.Qualifier.values(), a["qualifier"][idx]),
        "unit": _take(V.Unit.values(), a["unit"][idx]),
        **_date_cols(plan, "as_of", a["date"][idx]),
        **_place_cols(a, idx),
        "claimant_actor_id": _ref(actor_ids, plan, a["claimant"][idx]),
        "statement_id": _ref(statement_ids, plan, a["statement"][idx]),
        **_claim_common(plan, a, idx),
    }


def table_citations(plan: Plan, idx: np.ndarray) -> dict[str, pa.Array]:
    a = plan.a["citations"]
    claim = claim_ids(plan, a["claim"][idx])
    span = a["span"][idx]
    return {
        "citation_id": _join(claim, pc.cast(pa.array(a["pos"][idx]), pa.string()), sep="/c"),
        "claim_id": claim,
        "source_id": source_ids(plan, a["source"][idx]),
        "excerpt": plan.archive.span_text.take(pa.array(span)),
        "char_start": pa.array(plan.archive.span_start[span]),
        "char_end": pa.array(plan.archive.span_end[span]),
        "voice": _take(CitationVoice.values(), a["voice"][idx]),
    }


def table_claim_links(plan: Plan, idx: np.ndarray) -> dict[str, pa.Array]:
    a = plan.a["claim_links"]
    claim = claim_ids(plan, a["claim"][idx])
    return {
        "link_id": _join(claim, pa.scalar("1"), sep="/l"),
        "claim_id": claim,
        "relation": _take(V.LinkRelation.values(), a["relation"][idx]),
        "other_claim_id": claim_ids(plan, a["other"][idx]),
        "note": _null_where(_take(LINK_NOTES, a["note"][idx]), a["note_null"][idx]),
    }


def table_source_relays(plan: Plan, idx: np.ndarray) -> dict[str, pa.Array]:
    a = plan.a["source_relays"]
    source = source_ids(plan, a["source"][idx])
    return {
        "relay_id": _join(source, pc.cast(pa.array(a["pos"][idx] + 1), pa.string()), sep="/r"),
        "source_id": source,
        "relayed_source_id": source_ids(plan, a["other"][idx]),
        "what": _take(RELAY_NOTES, a["what"][idx]),
    }


TABLES = {
    "sources": table_sources,
    "actors": table_actors,
    "claims": table_claims,
    "events": table_events,
    "statements": table_statements,
    "figures": table_figures,
    "citations": table_citations,
    "claim_links": table_claim_links,
    "source_relays": table_source_relays,
}


def cell(plan: Plan, resource: str, row: int, name: str) -> str | None:
    """The CSV cell text of one generated cell (for planning injections)."""
    spec = table_spec(M.BY_RESOURCE[resource])
    return cells(complete(spec, TABLES[resource](plan, np.array([row])), 1)[name]).to_pylist()[0]


# --------------------------------------------------------------------------- injected errors

Injection = dict  # {kind, resource, row (0-based data index), field, type, value?}


def plan_errors(plan: Plan, per_kind: int) -> tuple[dict[str, dict[int, dict[str, str | None]]], list[dict]]:
    """Choose rows to break; returns the cell edits {resource: {row: {field: text}}} and the expected problems."""
    rng = np.random.default_rng(plan.rng.integers(1 << 62))
    n = plan.n
    edits: dict[str, dict[int, dict[str, str | None]]] = {r: {} for r in TABLES}
    expected: list[dict] = []
    used: dict[str, set[int]] = {r: set() for r in TABLES}

    def pick(resource: str, candidates: np.ndarray, count: int = per_kind) -> list[int]:
        cands = [int(c) for c in rng.permutation(candidates) if int(c) not in used[resource]]
        chosen = cands[:count]
        used[resource].update(chosen)
        return chosen

    def pick_after(resource: str, candidates: np.ndarray) -> list[int]:
        """Rows whose row above is untouched (and stays so): the row above keeps the id copied from it."""
        chosen = []
        for c in rng.permutation(candidates):
            c = int(c)
            if len(chosen) == per_kind:
                break
            if c in used[resource] or c - 1 in used[resource]:
                continue
            chosen.append(c)
            used[resource].update((c, c - 1))
        return chosen

    def edit(
        kind: str, resource: str, row: int, fld: str, value: str | None, ptype: str, report_field: str | None = None
    ) -> None:
        edits[resource].setdefault(row, {})[fld] = value
        expected.append(
            {"kind": kind, "resource": resource, "row": row + 2, "field": report_field or fld, "type": ptype}
        )

    def also(kind: str, resource: str, row: int, fld: str | None, ptype: str) -> None:
        expected.append({"kind": kind, "resource": resource, "row": row + 2, "field": fld, "type": ptype})

    F = plan.a["figures"]
    dp = plan.dates
    all_rows = np.arange(n)
    # references into actors and sources, so a duplicated id never strands a reference
    ref_actor = np.zeros(n, bool)
    for arr in (
        plan.a["actors"]["affiliation"],
        plan.a["events"]["actor"],
        plan.a["events"]["counterpart"],
        plan.a["events"]["claimant"],
        plan.a["statements"]["speaker"],
        F["claimant"],
    ):
        ref_actor[arr[arr >= 0]] = True
    ref_source = np.zeros(n, bool)
    R = plan.a["source_relays"]
    ref_source[R["other"]] = True
    ref_source[R["source"]] = True  # a relay's own source too: its rows refer to it
    ref_source[plan.a["citations"]["source"]] = True
    ref_source[: plan.k] = True
    non_range = np.flatnonzero((F["qualifier"] != RANGE) & (F["unit"] == 0))
    date_kind = lambda res: dp.kind[plan.a[res]["date"]]  # noqa: E731

    # --- types, dates, enums, patterns, required, ranges, safe text
    ncit = plan.rows["citations"]
    for r in pick("citations", np.arange(ncit)):
        edit("bad-type", "citations", r, "char_start", "12a", "field-error")
    for r in pick("figures", non_range):
        edit("bad-type", "figures", r, "value", "4,000", "field-error")
    for r in pick("events", np.flatnonzero(date_kind("events") == "day")):
        edit("impossible-date", "events", r, "date_start", "2025-02-30", "field-error")
    for r in pick("statements", np.flatnonzero(date_kind("statements") == "day")):
        edit("non-padded-date", "statements", r, "date_end", "2021-7-04", "field-error")
    for r in pick("figures", np.flatnonzero(F["qualifier"] != RANGE)):
        edit("bad-enum", "figures", r, "qualifier", "approx", "field-error")
    for r in pick("actors", all_rows):
        edit("bad-enum", "actors", r, "actor_type", "persons", "field-error")
    for r in pick("sources", all_rows):
        edit("pattern", "sources", r, "language", "EN", "field-error")
    for r in pick("actors", np.flatnonzero(~plan.a["actors"]["country_null"])):
        edit("unknown-country", "actors", r, "country", "XX", "field-error")
    for r in pick("events", all_rows):
        edit("required", "events", r, "summary", None, "missing-field")
    for r in pick("figures", non_range):
        edit("minimum", "figures", r, "value", "-3", "field-error")
    for r in pick("events", np.flatnonzero(plan.a["events"]["notes_null"])):
        edit("unsafe-text", "events", r, "notes", '=HYPERLINK("http://x")', "field-error")
    for r in pick("statements", all_rows):
        edit("unsafe-text", "statements", r, "text", " leading space", "field-error")
    for r in pick("events", all_rows):
        edit("control-character", "events", r, "summary", "Shelling reported\x07 near Sudzha.", "field-error")

    # --- duplicate ids (rows nothing refers to, copied from the row above)
    for r in pick_after("actors", np.flatnonzero(~ref_actor & (all_rows > 0))):
        edit("duplicate-id", "actors", r, "actor_id", cell(plan, "actors", r - 1, "actor_id"), "duplicate-id")
    for r in pick_after("sources", np.flatnonzero(~ref_source & (all_rows > 0))):
        edit("duplicate-id", "sources", r, "source_id", cell(plan, "sources", r - 1, "source_id"), "duplicate-id")

    # --- dangling foreign keys
    for r in pick("events", np.flatnonzero(plan.a["events"]["actor"] >= 0)):
        edit("dangling-reference", "events", r, "actor_id", f"no-such-actor-{r}", "dangling-reference")
    for r in pick("figures", all_rows):
        edit("dangling-reference", "figures", r, "statement_id", f"st-missing-{r}", "dangling-reference")
    for r in pick("claim_links", np.arange(plan.rows["claim_links"])):
        edit("dangling-reference", "claim_links", r, "other_claim_id", f"fg-missing-{r}", "dangling-reference")
    for r in pick("citations", np.arange(ncit)):
        edit("dangling-reference", "citations", r, "source_id", f"unknown-outlet-{r}", "dangling-reference")

    # --- cross-field rules
    rng_rows = np.flatnonzero((F["qualifier"] == RANGE) & np.isnan(F["value"]))
    for r in pick("figures", rng_rows):
        edits["figures"].setdefault(r, {}).update(
            value_low=cell(plan, "figures", r, "value_high"), value_high=cell(plan, "figures", r, "value_low")
        )
        also("rule-low-above-high", "figures", r, "value_low", "record-rule")
    for r in pick("figures", np.flatnonzero((F["qualifier"] == RANGE) & ~np.isnan(F["value"]))):
        edit("rule-value-outside-range", "figures", r, "value", str(int(F["high"][r]) + 1), "record-rule")
    for r in pick("figures", np.flatnonzero(F["unit"] == 1)):
        edit("rule-share-above-one", "figures", r, "value", "1.5", "record-rule")
    for r in pick("sources", np.flatnonzero(~plan.a["sources"]["outlet_unknown"])):
        edit("rule-knowable-empty", "sources", r, "outlet", None, "record-rule")
    for r in pick("sources", np.flatnonzero(~plan.a["sources"]["byline_unknown"])):
        edit("rule-knowable-both", "sources", r, "byline_missing_reason", "No byline.", "record-rule")
    for r in pick("events", np.flatnonzero(date_kind("events") == "range")):
        edits["events"].setdefault(r, {}).update(
            date_start=cell(plan, "events", r, "date_end"), date_end=cell(plan, "events", r, "date_start")
        )
        also("rule-start-after-end", "events", r, "date_start", "record-rule")
    for r in pick("statements", np.flatnonzero(date_kind("statements") == "day")):
        edit("rule-date-precision", "statements", r, "date_precision", "month", "record-rule")
    for r in pick("figures", np.flatnonzero(dp.kind[F["date"]] == "unknown")):
        edit("rule-date-bounds", "figures", r, "as_of_start", "2024-01-01", "record-rule")
    for r in pick("sources", np.flatnonzero(~ref_source)):
        edit("rule-archive-fields", "sources", r, "sha256", "0" * 64, "record-rule")
    for r in pick("claims", np.arange(2 * n, 3 * n)):
        edit("rule-record-type", "claims", r, "record_type", "event", "record-rule")
    for r in pick("claim_links", np.arange(plan.rows["claim_links"])):
        edit(
            "rule-self-link",
            "claim_links",
            r,
            "other_claim_id",
            cell(plan, "claim_links", r, "claim_id"),
            "record-rule",
        )
    rows = pick("claim_links", np.arange(plan.rows["claim_links"]), count=2 * per_kind)
    for pair in zip(rows[0::2], rows[1::2], strict=False):  # a link written again, on a later row
        first, again = min(pair), max(pair)
        link = {name: cell(plan, "claim_links", first, name) for name in ("claim_id", "relation", "other_claim_id")}
        edits["claim_links"].setdefault(again, {}).update(link, link_id=f"{link['claim_id']}/l{again + 10}")
        also("duplicate-link", "claim_links", again, None, "record-rule")
    relay_rows = np.arange(plan.rows["source_relays"])
    for r in pick("source_relays", relay_rows):
        edit("dangling-reference", "source_relays", r, "relayed_source_id", f"no-such-source-{r}", "dangling-reference")
    for r in pick("source_relays", relay_rows):
        source = cell(plan, "source_relays", r, "source_id")
        edit("rule-self-relay", "source_relays", r, "relayed_source_id", source, "record-rule")
    for r in pick("source_relays", np.flatnonzero(R["pos"] == 1)):  # the second relay says the first again
        if r - 1 in used["source_relays"]:
            continue
        used["source_relays"].add(r - 1)
        edits["source_relays"].setdefault(r, {})["relayed_source_id"] = cell(
            plan, "source_relays", r - 1, "relayed_source_id"
        )
        also("duplicate-relay", "source_relays", r, None, "record-rule")
    rows = sorted(pick("source_relays", np.flatnonzero(R["per_source"] == 1), count=3 * per_kind))
    rows = [int(r) for r in rng.permutation(rows)]
    for loop in zip(rows[0::3], rows[1::3], rows[2::3], strict=False):  # loops of three sources, each relaying one
        loop = sorted(loop)  # then only the two upward relays are new: no other loop goes through them
        for a, b in zip(loop, (*loop[1:], loop[0]), strict=True):
            edits["source_relays"].setdefault(a, {})["relayed_source_id"] = cell(plan, "source_relays", b, "source_id")
        also("rule-relay-cycle", "source_relays", max(loop), "relayed_source_id", "record-rule")
    rows = pick("actors", all_rows, count=3 * per_kind)
    for loop in zip(rows[0::3], rows[1::3], rows[2::3], strict=False):  # loops of three
        for a, b in zip(loop, (*loop[1:], loop[0]), strict=True):
            edits["actors"].setdefault(a, {})["affiliation_actor_id"] = cell(plan, "actors", b, "actor_id")
        also("rule-affiliation-cycle", "actors", max(loop), "affiliation_actor_id", "record-rule")

    # --- citation coverage: move the only citation of claim A to claim B (which also had one)
    C = plan.a["citations"]
    single = np.flatnonzero(C["per_claim"] == 1)
    first_row = np.concatenate([[0], np.cumsum(C["per_claim"])[:-1]])
    pairs = single[:-1][np.diff(single) == 1]  # A and A+1 both have exactly one citation
    pairs = np.array(
        [p for p in pairs[: 50 * per_kind + 50] if int(first_row[p]) not in used["citations"]], dtype=np.int64
    )
    chosen_pairs = []
    for a_claim in rng.permutation(pairs):
        a_claim = int(a_claim)
        if len(chosen_pairs) == per_kind:
            break
        if a_claim in used["claims"] or a_claim + 1 in used["claims"]:
            continue  # neither claim of the pair may take part in another injection
        a_span, b_span = C["span"][first_row[a_claim]], C["span"][first_row[a_claim + 1]]
        if (plan.archive.span_start[a_span], plan.archive.span_end[a_span], C["source"][first_row[a_claim]]) == (
            plan.archive.span_start[b_span],
            plan.archive.span_end[b_span],
            C["source"][first_row[a_claim + 1]],
        ):
            continue  # B would cite the same place twice: another error than the one injected
        used["claims"].update((a_claim, a_claim + 1))
        chosen_pairs.append(a_claim)
    for a_claim in chosen_pairs:
        b_claim = a_claim + 1
        row = int(first_row[a_claim])
        b_id = cell(plan, "claims", b_claim, "claim_id")
        edits["citations"].setdefault(row, {}).update(claim_id=b_id, citation_id=f"{b_id}/c2")
        used["citations"].add(row)
        also("missing-citation", "claims", a_claim, "claim_id", "missing-citation")

    # --- excerpts and archived sources
    for r in pick("citations", np.arange(ncit)):
        text = cell(plan, "citations", r, "excerpt")
        cut = text.find(" ", len(text) // 2)
        changed = text[:cut] + " never" + text[cut:] if cut != -1 else text + " never"
        edit("excerpt-not-in-source", "citations", r, "excerpt", changed, "excerpt-not-found")
    for r in pick("citations", np.arange(ncit)):
        s, e = int(cell(plan, "citations", r, "char_start")), int(cell(plan, "citations", r, "char_end"))
        edits["citations"].setdefault(r, {}).update(char_start=str(s + 1), char_end=str(e + 1))
        also("excerpt-offsets-wrong", "citations", r, "char_start", "excerpt-not-found")
    span = C["span"]
    for j, r in enumerate(pick("citations", np.arange(ncit))):  # one character more: the space before or after
        s, e = int(cell(plan, "citations", r, "char_start")), int(cell(plan, "citations", r, "char_end"))
        text = plan.archive.texts[int(C["source"][r])]
        before = s > 0 and text[s - 1].isspace()
        after = e < len(text) and text[e].isspace()
        assert before or after, "a span is always between whitespace"
        if (j % 2 and after) or not before:
            edits["citations"].setdefault(r, {})["char_end"] = str(e + 1)
        else:
            edits["citations"].setdefault(r, {})["char_start"] = str(s - 1)
        also("excerpt-offset-on-space", "citations", r, "char_start", "excerpt-not-found")
    for r in pick("citations", np.flatnonzero(~plan.archive.span_verbatim[span])):
        text = cell(plan, "citations", r, "excerpt")
        cut = text.find(" ", len(text) // 2)
        changed = text[:cut] + " never" + text[cut:] if cut != -1 else text + " never"
        edit("non-verbatim-excerpt-not-in-source", "citations", r, "excerpt", changed, "excerpt-not-found")
    not_archived = np.array(
        [s for s in range(plan.k, n) if s not in used["sources"]], dtype=np.int64
    )  # ids left as generated
    for r in pick("citations", np.arange(ncit)):
        target = int(rng.choice(not_archived)) if len(not_archived) else 0
        edit(
            "cites-unarchived-source",
            "citations",
            r,
            "source_id",
            cell(plan, "sources", target, "source_id"),
            "cites-unarchived-source",
        )
    cited_by_edits = {int(C["source"][r]) for r in edits["citations"]}
    archived_free = [s for s in range(plan.k) if s not in used["sources"] and s not in cited_by_edits]
    for r in pick("sources", np.array(archived_free, dtype=np.int64), count=per_kind):
        edit("seed-hash-mismatch", "sources", r, "sha256", "f" * 64, "seed-hash-mismatch")
    return edits, expected


# --------------------------------------------------------------------------- writing


def complete(spec, cols: dict[str, pa.Array], rows: int) -> dict[str, pa.Array]:
    """Columns the models gained after this generator was written: a Knowable partner explains the
    empty value; any other optional column stays empty. A new required column is an error to fix here."""
    for x, reason in spec.knowable_pairs:
        if reason not in cols and x in cols:
            cols[reason] = _null_where(pa.array([REASONS[0]] * rows, pa.string()), ~np.asarray(pc.is_null(cols[x])))
    for c in spec.columns:
        if c.name not in cols:
            if c.required:
                raise SystemExit(
                    f"generate_synthetic.py does not know how to fill the required column {spec.resource}.{c.name}"
                )
            cols[c.name] = pa.nulls(rows, pa.string())
    return cols


def write_package(
    out: Path, n: int, seed: int, inject: int = 0, *, quiet: bool = True, non_verbatim: float = NON_VERBATIM
) -> dict:
    """Generate and write the package; returns a summary (rows per resource, bytes, seconds, and the share of
    excerpts that differ from their span as the matching rules allow)."""
    started = time.perf_counter()
    out = Path(out)
    plan = draw(n, seed, non_verbatim)
    edits, expected = plan_errors(plan, inject) if inject else ({r: {} for r in TABLES}, [])
    seeds = out / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for name, text in zip(plan.archive.files, plan.archive.texts, strict=True):
        (out / name).write_bytes(text.encode("utf-8"))
    resources = []
    cited = plan.archive.span_verbatim[plan.a["citations"]["span"]]
    summary = {"n": n, "seed": seed, "rows": {}, "bytes": {}, "non_verbatim": round(1 - float(cited.mean()), 4)}
    for model in M.PUBLISHED:
        spec = table_spec(model)
        rows = plan.rows[model.resource]
        rel = f"{CSV_DIR}/{model.resource}.csv"
        f = HashingFile(out / rel)
        f.write(header(spec.names))
        table_edits = edits.get(model.resource, {})
        edit_rows = np.array(sorted(table_edits), dtype=np.int64)
        for lo in range(0, rows, CHUNK):
            hi = min(rows, lo + CHUNK)
            cols = complete(spec, TABLES[model.resource](plan, np.arange(lo, hi)), hi - lo)
            rendered = []
            here = edit_rows[(edit_rows >= lo) & (edit_rows < hi)]
            for c in spec.columns:
                text = cells(cols[c.name])
                hits = [(int(r), table_edits[int(r)][c.name]) for r in here if c.name in table_edits[int(r)]]
                if hits:
                    mask = np.zeros(hi - lo, bool)
                    mask[[r - lo for r, _ in hits]] = True
                    text = pc.replace_with_mask(text, pa.array(mask), pa.array([v for _, v in hits], pa.string()))
                rendered.append(text)
            f.write(csv_rows(rendered))
        nbytes, sha = f.close()
        summary["rows"][model.resource] = rows
        summary["bytes"][model.resource] = nbytes
        resources.append(resource_descriptor(spec, rel, "csv", nbytes, sha))
        if not quiet:
            print(f"  {model.resource}: {rows:,} rows, {nbytes / 1e6:.1f} MB", file=sys.stderr)
    sources = [{"title": f"syn source {i}", "path": p} for i, p in enumerate(plan.archive.files)]
    (out / "datapackage.json").write_bytes(dump_json(package(resources, sources)))
    if inject:
        expected.sort(key=lambda e: (e["resource"], e["row"], e["field"]))
        (out / "injected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    summary["injected"] = len(expected)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="folder to write the package into (created)")
    p.add_argument("-n", type=int, default=1000, help="records in every curated resource (default 1000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--inject-errors",
        type=int,
        nargs="?",
        const=3,
        default=0,
        metavar="PER_KIND",
        help="break PER_KIND rows (default 3) for every kind of error and write injected.json",
    )
    p.add_argument(
        "--non-verbatim",
        type=float,
        default=NON_VERBATIM,
        metavar="SHARE",
        help=f"share of excerpts that differ from their span as the matching rules allow (default {NON_VERBATIM})",
    )
    args = p.parse_args(argv)
    if not 0 <= args.non_verbatim <= 1:
        p.error("--non-verbatim must be between 0 and 1")
    summary = write_package(
        args.out, args.n, args.seed, args.inject_errors, quiet=False, non_verbatim=args.non_verbatim
    )
    total = sum(summary["rows"].values())
    print(
        f"wrote {total:,} rows ({sum(summary['bytes'].values()) / 1e6:.1f} MB) to {args.out} in {summary['seconds']} s"
        + f"; {summary['non_verbatim']:.1%} of the excerpts differ from their span as the matching rules allow"
        + (f"; {summary['injected']} injected errors listed in injected.json" if args.inject_errors else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
