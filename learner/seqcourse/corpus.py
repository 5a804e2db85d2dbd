"""The course's training text: short stories about the harbour town of Merrow.

Every chapter that trains a language model uses the same small corpus, so the
numbers are comparable from chapter to chapter. The text is written by the
probabilistic grammar in this file instead of being taken from a book: it is
entirely our own, and since only a seeded ``random.Random`` is used it is
identical on every machine. It has structure at several scales, each of which
a model either captures or misses:

* characters: a few hundred words, always spelt the same way, "a" before a
  consonant and "an" before a vowel;
* words: subject-verb agreement ("the gull cries", "the gulls cry"), also
  across a relative clause ("the nets that the keeper mends are old") and
  after a number ("only one comes back", "nine come back");
* sentences: a capital at the start and a full stop, question mark or
  exclamation mark at the end, quotes and parentheses that close, numbers
  written as words, colon lists as long as the number announced before them;
* paragraphs: a day, a season and a tense chosen once and kept, lines wrapped
  at 72 characters, a blank line between paragraphs.

A character bigram model learns little more than which letters follow which,
a 5-gram model learns whole short words, and a recurrent network can also
learn to close a quote or to break a line near the 72nd character.

``python -m seqcourse.corpus`` rewrites ``seqcourse/data/harbour.txt``.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

CORPUS_PATH = Path(__file__).resolve().parent / "data" / "harbour.txt"
LINE_WIDTH = 72

# ---------------------------------------------------------------------------
# The lexicon. Nouns are written "singular|plural", people's nouns also carry
# the possessive pronoun that agrees with the singular ("the baker ... her
# basket"). Verbs are written "base|third person singular|past".
# ---------------------------------------------------------------------------

NOUNS = {
    "person": (
        "fisherman|fishermen|his", "sailor|sailors|his", "captain|captains|her",
        "merchant|merchants|his", "baker|bakers|her", "net mender|net menders|her",
        "ferryman|ferrymen|his", "child|children|her", "boy|boys|his",
        "girl|girls|her", "woman|women|her", "widow|widows|her",
        "stranger|strangers|his", "cook|cooks|her", "pilot|pilots|his",
    ),
    "animal": (
        "gull|gulls", "cat|cats", "dog|dogs", "seal|seals", "heron|herons",
        "cormorant|cormorants", "crab|crabs",
    ),
    "vessel": (
        "boat|boats", "ship|ships", "schooner|schooners", "trawler|trawlers",
        "rowing boat|rowing boats", "ferry|ferries", "barge|barges",
        "dinghy|dinghies",
    ),
    "gear": (
        "net|nets", "rope|ropes", "sail|sails", "oar|oars", "lamp|lamps",
        "lantern|lanterns", "anchor|anchors", "chain|chains", "hook|hooks",
        "bucket|buckets", "mast|masts", "chart|charts", "bell|bells",
    ),
    "cargo": (
        "basket|baskets", "crate|crates", "barrel|barrels", "sack|sacks",
        "box|boxes", "letter|letters", "parcel|parcels", "coin|coins",
    ),
}

ADJECTIVES = {
    "person": (
        "old", "young", "tired", "cheerful", "quiet", "patient", "careful",
        "clever", "hungry", "proud", "stubborn", "kind", "brave", "nervous",
        "weather-beaten", "sleepy", "grumpy", "honest",
    ),
    "animal": ("grey", "white", "black", "hungry", "noisy", "fat", "thin", "bold", "lazy"),
    "vessel": (
        "old", "new", "small", "blue", "red", "green", "narrow", "sea-green",
        "salt-stained", "leaky", "heavy", "fast",
    ),
    "gear": ("old", "new", "wet", "heavy", "broken", "tangled", "rusty", "long", "dirty"),
    "cargo": ("heavy", "empty", "half-empty", "full", "light", "small", "large", "damp"),
}

# Who does what to what: for each kind of subject, (verb, kinds of object).
TRANSITIVE = {
    "person": (
        ("mend|mends|mended", ("gear",)),
        ("watch|watches|watched", ("vessel", "animal", "person")),
        ("count|counts|counted", ("vessel", "animal", "cargo")),
        ("carry|carries|carried", ("cargo", "gear")),
        ("paint|paints|painted", ("vessel",)),
        ("load|loads|loaded", ("cargo",)),
        ("unload|unloads|unloaded", ("cargo",)),
        ("clean|cleans|cleaned", ("gear", "vessel")),
        ("follow|follows|followed", ("person", "animal")),
        ("greet|greets|greeted", ("person",)),
        ("help|helps|helped", ("person",)),
        ("feed|feeds|fed", ("animal",)),
        ("find|finds|found", ("gear", "cargo", "animal")),
        ("lose|loses|lost", ("gear", "cargo")),
        ("sell|sells|sold", ("gear", "cargo", "vessel")),
        ("buy|buys|bought", ("gear", "cargo", "vessel")),
        ("tie up|ties up|tied up", ("vessel",)),
        ("check|checks|checked", ("gear", "cargo", "vessel")),
        ("wait for|waits for|waited for", ("person", "vessel")),
        ("look for|looks for|looked for", ("person", "gear", "animal", "vessel")),
        ("see|sees|saw", ("person", "animal", "vessel")),
    ),
    "animal": (
        ("follow|follows|followed", ("vessel", "person")),
        ("watch|watches|watched", ("person", "vessel")),
        ("chase|chases|chased", ("animal",)),
        ("ignore|ignores|ignored", ("person",)),
    ),
    "vessel": (
        ("carry|carries|carried", ("cargo", "person")),
        ("pass|passes|passed", ("vessel",)),
        ("tow|tows|towed", ("vessel",)),
        ("bring|brings|brought", ("cargo", "person")),
    ),
}

# For each kind of noun, (kind of subject, verb) pairs that can take it as object:
# this is what an object relative clause ("the nets that Hester mends") needs.
OBJECT_OF = {
    kind: tuple(
        (subject_kind, verb)
        for subject_kind, verbs in TRANSITIVE.items()
        for verb, objects in verbs
        if kind in objects
    )
    for kind in NOUNS
}

INTRANSITIVE = {
    "person": (
        "sleep|sleeps|slept", "sing|sings|sang", "wait|waits|waited",
        "laugh|laughs|laughed", "whistle|whistles|whistled", "work|works|worked",
        "rest|rests|rested", "sit|sits|sat", "stand|stands|stood",
        "argue|argues|argued", "smoke a pipe|smokes a pipe|smoked a pipe",
    ),
    "animal": (
        "cry|cries|cried", "circle|circles|circled", "dive|dives|dived",
        "quarrel|quarrels|quarrelled", "sleep|sleeps|slept", "wait|waits|waited",
        "swim|swims|swam", "shriek|shrieks|shrieked",
    ),
    "vessel": (
        "sail|sails|sailed", "drift|drifts|drifted", "rock|rocks|rocked",
        "creak|creaks|creaked", "wait|waits|waited",
        "lie at anchor|lies at anchor|lay at anchor",
        "turn for home|turns for home|turned for home",
    ),
}

PLACES = {
    "person": (
        "on the quay", "by the harbour wall", "at the market", "in the Blue Anchor",
        "outside the chapel", "on the slipway", "in the boatyard", "in the net loft",
        "behind the bakery", "on the steps of the customs house", "on the beach",
        "at the top of the lighthouse", "along the high street",
        "near the fish market", "under the old pier",
    ),
    "animal": (
        "over the harbour", "on the harbour wall", "above the fish market",
        "on the rocks below the lighthouse", "behind the boats",
        "along the breakwater", "on the roof of the net loft", "by the slipway",
    ),
    "vessel": (
        "in the harbour", "beyond the breakwater", "off Gull Point", "by the quay",
        "in the bay", "near the rocks", "in the shelter of the harbour wall",
        "out past the lighthouse",
    ),
}

# The people of Merrow: name, who they are, subject and possessive pronoun.
CHARACTERS = (
    "Ezra|the lighthouse keeper|he|his",
    "Nell|the baker|she|her",
    "Morwen|the harbour master|she|her",
    "Silas|the captain of the Grey Heron|he|his",
    "Jory|a young fisherman|he|his",
    "Bram|Jory's older brother|he|his",
    "Hester|the net mender|she|her",
    "Wenna|the baker's daughter|she|her",
    "Osric|the salt merchant|he|his",
    "Kit|the ferryman's boy|he|his",
)
SHIPS = (
    "the Grey Heron", "the Lucky Wren", "the Morning Star", "the Margaret Rose",
    "the Kittiwake", "the Saint Piran",
)
GOODS = (
    "salt", "rope", "tar", "lamp oil", "bread", "apples", "cheese", "wool", "eggs",
    "onions", "candles", "soap", "tea", "flour", "fresh herring", "smoked mackerel",
    "oysters", "a basket of crabs", "a new knife", "a pair of boots",
    "a loaf of bread", "a sack of flour", "a barrel of salt fish", "a coil of rope",
)

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SEASONS = ("spring", "summer", "autumn", "winter")
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")
DIRECTIONS = ("north", "south", "east", "west", "north-east", "south-west")

# Weather: (subject, plural?, verb, seasons it belongs to; empty means any).
WEATHER = (
    ("the wind", False, "blow|blows|blew from the {direction}", ()),
    ("the wind", False, "drop|drops|dropped", ()),
    ("the wind", False, "howl|howls|howled around the lighthouse", ("autumn", "winter")),
    ("the rain", False, "drum|drums|drummed on the roofs", ()),
    ("the rain", False, "stop|stops|stopped", ()),
    ("the fog", False, "roll|rolls|rolled in from the sea", ()),
    ("the fog", False, "lift|lifts|lifted", ()),
    ("the clouds", True, "gather|gathers|gathered over the hills", ()),
    ("the clouds", True, "break|breaks|broke", ()),
    ("the waves", True, "crash|crashes|crashed against the breakwater", ("autumn", "winter")),
    ("the sun", False, "rise|rises|rose over the bay", ()),
    ("the sun", False, "set|sets|set behind the hills", ()),
    ("the stars", True, "come out|comes out|came out", ()),
    ("snow", False, "fall|falls|fell on the quay", ("winter",)),
    ("frost", False, "whiten|whitens|whitened the decks", ("winter",)),
    ("the heat", False, "hang|hangs|hung over the harbour", ("summer",)),
    ("the first swallows", True, "arrive|arrives|arrived", ("spring",)),
    ("the leaves", True, "fall|falls|fell in the chapel yard", ("autumn",)),
)
SEA_STATES = ("calm", "rough", "grey", "flat", "green", "restless", "white with foam")

# What happens in each season: (subject, plural?, verb, rest of the clause).
HABITS = {
    "spring": (
        ("the fishermen", True, "paint|paints|painted", "their boats"),
        ("the first mackerel", True, "come|comes|came", "into the bay"),
        ("the gulls", True, "build|builds|built", "their nests on the cliffs"),
    ),
    "summer": (
        ("the boats", True, "go|goes|went", "out at dawn"),
        ("strangers", True, "fill|fills|filled", "the Blue Anchor"),
        ("the children", True, "swim|swims|swam", "off the slipway"),
    ),
    "autumn": (
        ("the herring", True, "come|comes|came", "in"),
        ("the gales", True, "begin|begins|began", "in earnest"),
        ("the nets", True, "need|needs|needed", "mending every day"),
    ),
    "winter": (
        ("the boats", True, "stay|stays|stayed", "in the harbour"),
        ("the keeper", False, "light|lights|lit", "the lamp before four o'clock"),
        ("ice", False, "form|forms|formed", "on the ropes"),
    ),
}

ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "- - twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """Write 0 <= n <= 999 in words: 42 -> "forty-two", 112 -> "one hundred and twelve"."""
    if n >= 100:
        hundreds, rest = divmod(n, 100)
        head = f"{ONES[hundreds]} hundred"
        return f"{head} and {number_words(rest)}" if rest else head
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return f"{TENS[tens]}-{ONES[ones]}" if ones else TENS[tens]


def conjugate(verb: str, plural: bool, past: bool) -> str:
    """Pick the form of a "base|third person singular|past" verb that agrees."""
    base, singular, past_form = verb.split("|")
    if past:
        return past_form
    return base if plural else singular


def be(plural: bool, past: bool) -> str:
    """The verb "to be" in agreement: is, are, was or were."""
    return ("were" if plural else "was") if past else ("are" if plural else "is")


def article(word: str) -> str:
    """The indefinite article for a word: "an" before a vowel letter, else "a"."""
    return "an" if word[0] in "aeiou" else "a"


def listing(items: list[str]) -> str:
    """Join words the English way: "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def capitalise(clause: str) -> str:
    """Capitalise the first letter only, leaving names inside the clause alone."""
    return clause[0].upper() + clause[1:]


@dataclass(frozen=True)
class Phrase:
    """A noun phrase and what agreement with it needs."""

    text: str
    plural: bool
    possessive: str  # "his", "her", "its" or "their"


@dataclass(frozen=True)
class Scene:
    """What stays the same within one paragraph."""

    day: str
    season: str
    past: bool
    hero: str  # an entry of CHARACTERS


class Writer:
    """Writes paragraphs by drawing every choice from one seeded random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.scene = Scene("Monday", "spring", False, CHARACTERS[0])  # replaced by each paragraph
        self.past = False  # the tense of the clause being written

    # -- small helpers --------------------------------------------------------

    def pick(self, options):
        return self.rng.choice(options)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def verb(self, verb: str, plural: bool) -> str:
        return conjugate(verb, plural, self.past)

    def clock(self) -> str:
        hour = number_words(self.rng.randint(1, 12))
        return self.pick(
            (f"{hour} o'clock", f"half past {hour}", f"a quarter to {hour}", f"a quarter past {hour}")
        )

    def when(self) -> str:
        """A time phrase in the paragraph's tense."""
        if self.chance(0.25):
            return "at " + self.clock()
        if self.past:
            return self.pick(("that morning", "the next day", "after the storm", "before dark", "at dawn"))
        return self.pick(("every morning", "twice a week", "after dark", "before breakfast", "at dusk"))

    # -- noun phrases ---------------------------------------------------------

    def character(self) -> Phrase:
        """The paragraph's hero half of the time, otherwise anyone in town."""
        entry = self.scene.hero if self.chance(0.5) else self.pick(CHARACTERS)
        name, _, _, possessive = entry.split("|")
        return Phrase(name, False, possessive)

    def noun_phrase(self, kind: str, depth: int = 0, relative: float = 0.2, det: str = "") -> Phrase:
        """A noun phrase of a kind, perhaps with a relative clause (nested at most twice).

        ``det`` forces a determiner such as "his"; by default one is drawn.
        """
        if not det and kind == "person" and self.chance(0.35):
            return self.character()
        if not det and kind == "vessel" and self.chance(0.15):
            return Phrase(self.pick(SHIPS), False, "its")
        singular, plural_form, *pronoun = self.pick(NOUNS[kind]).split("|")
        plural = self.chance(0.45)
        adjective = f"{self.pick(ADJECTIVES[kind])} " if self.chance(0.3) else ""
        noun = adjective + (plural_form if plural else singular)
        owned = bool(det)  # "his nets", never "his nets that Nell sells"
        if not det:
            det = self.determiner(noun, plural)
        if det == "one of the":  # "one of the boats" takes a singular verb
            noun = adjective + plural_form
        possessive = "their" if plural else (pronoun[0] if pronoun else "its")
        phrase = Phrase(f"{det} {noun}", plural, possessive)
        if depth < 2 and not owned and self.chance(relative / (depth + 1)):
            phrase = self.relative_clause(phrase, kind, depth)
        return phrase

    def determiner(self, noun: str, plural: bool) -> str:
        r = self.rng.random()
        if not plural:
            return "the" if r < 0.65 else article(noun) if r < 0.9 else "one of the"
        if r < 0.75:
            return "the"
        if r < 0.9:
            return number_words(self.rng.randint(2, 12))
        return self.pick(("some", "all the", "two of the"))

    def relative_clause(self, head: Phrase, kind: str, depth: int) -> Phrase:
        """Attach "who mends the nets" (the head acts) or "that the keeper saw" (it is acted on)."""
        if kind in TRANSITIVE and self.chance(0.5):
            verb, objects = self.pick(TRANSITIVE[kind])
            obj = self.noun_phrase(self.pick(objects), depth + 1)
            pronoun = "who" if kind == "person" else "that"
            clause = f"{pronoun} {self.verb(verb, head.plural)} {obj.text}"
        else:
            subject_kind, verb = self.pick(OBJECT_OF[kind])
            subject = self.noun_phrase(subject_kind, depth + 1)
            clause = f"that {subject.text} {self.verb(verb, subject.plural)}"
        return Phrase(f"{head.text} {clause}", head.plural, head.possessive)

    def subject(self) -> tuple[str, Phrase]:
        kind = self.rng.choices(("person", "animal", "vessel"), (6, 2, 2))[0]
        return kind, self.noun_phrase(kind)

    # -- clauses (lowercase, no final punctuation) ----------------------------

    def action(self, timed: bool = True) -> str:
        kind, subject = self.subject()
        verb, objects = self.pick(TRANSITIVE[kind])
        obj_kind = self.pick(objects)
        owned = kind == "person" and obj_kind in ("gear", "cargo") and self.chance(0.4)
        obj = self.noun_phrase(obj_kind, det=subject.possessive if owned else "")
        text = f"{subject.text} {self.verb(verb, subject.plural)} {obj.text}"
        if self.chance(0.4):
            text += " " + self.pick(PLACES[kind])
        if timed and self.chance(0.3):
            text += " " + self.when()
        return text

    def intransitive(self) -> str:
        kind, subject = self.subject()
        text = f"{subject.text} {self.verb(self.pick(INTRANSITIVE[kind]), subject.plural)}"
        if self.chance(0.7):
            text += " " + self.pick(PLACES[kind])
        return text

    def description(self) -> str:
        kind = self.pick(tuple(NOUNS))
        subject = self.noun_phrase(kind, relative=0.5)
        adverb = self.pick(("", "", "still ", "very ", "far too ", "already "))
        return f"{subject.text} {be(subject.plural, self.past)} {adverb}{self.pick(ADJECTIVES[kind])}"

    def weather(self, aside: bool = True) -> str:
        if self.chance(0.25):
            return f"the sea {be(False, self.past)} {self.pick(SEA_STATES)}"
        options = [w for w in WEATHER if not w[3] or self.scene.season in w[3]]
        subject, plural, verb, _ = self.pick(options)
        direction = self.pick(DIRECTIONS)
        text = f"{subject} {self.verb(verb, plural)}".format(direction=direction)
        if aside and "{direction}" in verb and direction == "east" and self.chance(0.5):
            text += ' (the fishermen call it "the widow\'s wind")'
        return text

    def clause(self) -> str:
        return self.rng.choices(
            (self.action, self.intransitive, self.description, self.weather), (4, 2, 2, 2)
        )[0]()

    # -- sentences (capitalised, with final punctuation) ----------------------

    def opening(self) -> str:
        """The first sentence names the paragraph's day or season."""
        scene = self.scene
        if self.past and self.chance(0.3):
            adjective = self.pick(("grey", "cold", "bright", "quiet", "windy", "busy"))
            return (
                f"It was {article(adjective)} {adjective} {scene.day} in {scene.season}, "
                f"and {self.weather()}."
            )
        prefix = self.pick(
            (
                f"on {scene.day}",
                f"on {scene.day} {self.pick(PARTS_OF_DAY)}",
                f"in {scene.season}",
                f"late in {scene.season}",
                f"that {scene.day}" if self.past else f"every {scene.day}",
            )
        )
        clause = self.weather() if self.chance(0.5) else self.action(timed=False)
        return capitalise(f"{prefix} {clause}.")

    def simple(self) -> str:
        text = self.clause()
        if self.chance(0.12):
            text += " " + self.aside()
        return capitalise(text) + "."

    def compound(self) -> str:
        if self.chance(0.25):
            subject, plural, verb, _ = self.pick([w for w in WEATHER if not w[3]])
            first = f"when {subject} {self.verb(verb, plural)}".format(direction=self.pick(DIRECTIONS))
            return capitalise(f"{first}, {self.clause()}.")
        joint = self.pick((", and ", ", but ", "; ", ", so ", " while ", " because "))
        second = self.pick((self.action, self.intransitive, self.description))()
        return capitalise(self.clause() + joint + second) + "."

    def aside(self) -> str:
        """A remark in parentheses."""
        return "(" + self.pick(
            (
                f"or so the children {self.verb('say|says|said', True)}",
                f"nobody {self.verb('know|knows|knew', False)} why",
                f"as on every {self.scene.day}",
                f"the keeper {self.verb('say|says|said', False)} so",
                f"{self.character().text} {self.verb('swear|swears|swore', False)} to it",
                "to nobody's surprise",
            )
        ) + ")"

    def tide(self) -> str:
        past = self.past
        return self.pick(
            (
                f"High tide {be(False, past)} at {self.clock()}, and low tide "
                f"{self.verb('come|comes|came', False)} six hours later.",
                f"The tide {self.verb('turn|turns|turned', False)} at {self.clock()}.",
                f"At low tide the boats {self.verb('lie|lies|lay', True)} on the mud, and the "
                f"children {self.verb('look|looks|looked', True)} for crabs among the rocks.",
                f"By {self.clock()} the water {be(False, past)} over the bottom step of the quay.",
            )
        )

    def counting(self) -> str:
        r = self.rng.random()
        if r < 0.35:
            out = self.rng.randint(3, 30)
            back = self.rng.randint(1, out)
            returned = "all of them" if back == out else "only one" if back == 1 else number_words(back)
            when = self.pick(("at dawn", "at first light", "on " + self.scene.day))
            went = self.verb("go out|goes out|went out", True)
            came = self.verb("come back|comes back|came back", back > 1)
            return capitalise(f"{number_words(out)} boats {went} {when}; {returned} {came} before dark.")
        kind = self.pick(("animal", "vessel", "cargo"))
        n = self.rng.randint(2, 60)
        noun = self.pick(NOUNS[kind]).split("|")[1]
        place = self.pick(PLACES["vessel" if kind == "vessel" else "animal"])
        if r < 0.65:
            return capitalise(f"there {be(True, self.past)} {number_words(n)} {noun} {place}.")
        counter = self.noun_phrase("person", relative=0)
        counted = self.verb("count|counts|counted", counter.plural)
        return capitalise(f"{counter.text} {counted} {number_words(n)} {noun} {place}.")

    def market(self) -> str:
        person = self.noun_phrase("person", relative=0.1)
        k = self.rng.randint(2, 4)
        goods = listing(self.rng.sample(GOODS, k))
        r = self.rng.random()
        if r < 0.4:
            return f"At the market {person.text} {self.verb('sell|sells|sold', person.plural)} {goods}."
        if r < 0.7:  # the colon list is exactly as long as the number before it
            return capitalise(
                f"{person.text} {self.verb('bring|brings|brought', person.plural)} "
                f"{number_words(k)} things home from the market: {goods}."
            )
        price = self.rng.randint(2, 40)
        bought = self.verb("buy|buys|bought", person.plural)
        return capitalise(f"{person.text} {bought} {goods} for {number_words(price)} pennies.")

    def lighthouse(self) -> str:
        keeper = self.pick(("the keeper", "Ezra", "old Ezra"))
        past = self.past
        return capitalise(
            self.pick(
                (
                    f"every evening at dusk {keeper} {self.verb('climb|climbs|climbed', False)} "
                    f"the {number_words(112)} steps of the lighthouse and "
                    f"{self.verb('light|lights|lit', False)} the lamp.",
                    f"the beam of the Gull Point light {self.verb('sweep|sweeps|swept', False)} "
                    "across the bay four times a minute.",
                    f"from the gallery {keeper} {'could' if past else 'can'} see "
                    f"{self.noun_phrase('vessel').text} {self.pick(PLACES['vessel'])}.",
                    f"{keeper} {'had' if past else 'has'} kept the light for {number_words(31)} years.",
                )
            )
        )

    def season(self) -> str:
        season = self.scene.season
        subject, plural, verb, rest = self.pick(HABITS[season])
        text = f"in {season} {subject} {self.verb(verb, plural)} {rest}"
        if self.chance(0.5):
            other = self.pick([s for s in SEASONS if s != season])
            subject, plural, verb, rest = self.pick(HABITS[other])
            text += f", but in {other} {subject} {self.verb(verb, plural)} {rest}"
        return capitalise(text) + "."

    def hero(self) -> str:
        """Two things the paragraph's hero does, the second referred to by a pronoun."""
        name, role, pronoun, possessive = self.scene.hero.split("|")
        if self.chance(0.3):
            name = f"{name}, {role},"
        verb, objects = self.pick(TRANSITIVE["person"])
        obj_kind = self.pick(objects)
        obj = self.noun_phrase(obj_kind, det=possessive if obj_kind in ("gear", "cargo") else "")
        rest = self.verb(self.pick(INTRANSITIVE["person"]), False)
        place = self.pick(PLACES["person"])
        return f"{name} {self.verb(verb, False)} {obj.text}, and then {pronoun} {rest} {place}."

    def question(self) -> str:
        """A question in the narrative: agreement moves to "does"/"do" or "is"/"are"."""
        kind, subject = self.subject()
        if self.chance(0.3):
            adjective = self.pick(ADJECTIVES[kind])
            return capitalise(f"{be(subject.plural, self.past)} {subject.text} {adjective}?")
        verb, objects = self.pick(TRANSITIVE[kind])
        obj = self.noun_phrase(self.pick(objects), relative=0)
        if self.past:
            aux = self.pick(("would", "did"))
        else:
            aux = self.pick(("will", "do" if subject.plural else "does"))
        return capitalise(f"{aux} {subject.text} {verb.split('|')[0]} {obj.text}?")

    def exclamation(self) -> str:
        if self.chance(0.5):
            adjective = self.pick(("wild", "long", "strange", "fine", "cold"))
            part = self.pick(PARTS_OF_DAY)
            return f"What {article(adjective)} {adjective} {part} it {be(False, self.past)}!"
        return f"How the wind {self.verb('howl|howls|howled', False)}!"

    # -- direct speech (always in the present tense) --------------------------

    def spoken(self) -> tuple[str, str]:
        """Something said aloud, capitalised, and the punctuation that ends it."""
        saved, self.past = self.past, False
        r = self.rng.random()
        if r < 0.45:
            say = self.pick((self.action, self.description, lambda: self.weather(aside=False)))
            words, end = say(), "."
            if self.chance(0.3):
                words = self.pick(("I think ", "I'm sure ", "it's true: ", "don't worry, ")) + words
        elif r < 0.8:
            thing = self.noun_phrase(self.pick(("gear", "vessel", "cargo")), relative=0)
            words, end = self.pick(
                (
                    f"where {be(thing.plural, False)} {thing.text}",
                    f"have you seen {thing.text}",
                    "how many boats are still out",
                    f"will the fog lift before {self.pick(DAYS)}",
                    f"who left {thing.text} {self.pick(PLACES['person'])}",
                )
            ), "?"
        else:
            words, end = self.pick(
                (
                    "pull, boys, pull", "mind the ropes", "look at the sky",
                    f"bring the {self.pick(NOUNS['vessel']).split('|')[1]} in",
                    f"get that {self.pick(NOUNS['animal']).split('|')[0]} off the nets",
                    f"wake up, {self.character().text}",
                    "we can't go out in this",
                )
            ), "!"
        self.past = saved
        return capitalise(words), end

    def dialogue(self) -> str:
        speaker = self.noun_phrase("person", relative=0)
        words, end = self.spoken()
        how = {".": "say|says|said", "?": "ask|asks|asked", "!": "shout|shouts|shouted"}[end]
        if end == "." and self.chance(0.3):
            how = self.pick(
                ("whisper|whispers|whispered", "mutter|mutters|muttered", "reply|replies|replied")
            )
        said = self.verb(how, speaker.plural)
        if self.chance(0.5):
            return capitalise(f'{speaker.text} {said}, "{words}{end}"')
        mark = "," if end == "." else end
        tag = f"{said} {speaker.text}" if self.chance(0.5) else f"{speaker.text} {said}"
        return f'"{words}{mark}" {tag}.'

    # -- paragraphs -----------------------------------------------------------

    def sentence(self) -> str:
        return self.rng.choices(
            (
                self.simple, self.compound, self.dialogue, self.tide, self.counting, self.market,
                self.lighthouse, self.season, self.hero, self.question, self.exclamation,
            ),
            (30, 14, 14, 5, 8, 7, 4, 4, 6, 3, 2),
        )[0]()

    def paragraph(self) -> str:
        self.scene = Scene(
            day=self.pick(DAYS),
            season=self.pick(SEASONS),
            past=self.chance(0.6),
            hero=self.pick(CHARACTERS),
        )
        self.past = self.scene.past
        if self.chance(0.15):  # a conversation
            sentences = [self.opening()] + [self.dialogue() for _ in range(self.rng.randint(2, 5))]
        else:
            sentences = [self.opening()] + [self.sentence() for _ in range(self.rng.randint(1, 7))]
        return textwrap.fill(" ".join(sentences), LINE_WIDTH, break_long_words=False, break_on_hyphens=False)


def generate_corpus(n_chars: int = 120_000, seed: int = 0) -> str:
    """Write paragraphs until the text has at least ``n_chars`` characters.

    The text ends with the paragraph that crosses ``n_chars`` and one newline;
    paragraphs are separated by a blank line. The same seed gives the same
    text on every machine.
    """
    writer = Writer(random.Random(seed))
    paragraphs: list[str] = []
    length = 0
    while length < n_chars:
        paragraphs.append(writer.paragraph())
        length += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs) + "\n"


def load_corpus() -> str:
    """The committed corpus, ``seqcourse/data/harbour.txt``."""
    return CORPUS_PATH.read_text(encoding="utf-8")


def split_corpus(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """Split ``text`` into (train, validation); validation is the end of the text.

    The cut is made at the start of the paragraph closest to
    ``len(text) * (1 - val_fraction)``, so no paragraph is split in two and
    ``train + val == text``.
    """
    target = len(text) * (1 - val_fraction)
    starts = []
    start = text.find("\n\n")
    while start != -1:
        starts.append(start + 2)
        start = text.find("\n\n", start + 2)
    if not starts:
        raise ValueError("the text has no paragraph break to split at")
    cut = min(starts, key=lambda s: abs(s - target))
    return text[:cut], text[cut:]


if __name__ == "__main__":
    CORPUS_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(CORPUS_PATH, "w", encoding="utf-8", newline="\n") as f:
        f.write(generate_corpus())
    print(f"wrote {CORPUS_PATH}")
