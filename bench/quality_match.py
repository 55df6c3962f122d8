"""Text matching shared by bench/make_challenges.py and bench/quality.py (docs/quality.md).

Tokens are runs of lower-case letters and digits ("Apache Kafka" -> ["apache", "kafka"]), as
the validator's scorer makes them. A term occurs in a text when its tokens occur there as a
contiguous run.
"""

import re

# Shorter entity names ("jq", "git", "nano") must match as whole tokens: as substrings they
# would match unrelated words ("git" in "digital").
MIN_SUBSTRING_CHARS = 5


def tokens(text):
    return [t for t in re.split(r"[^0-9a-z]+", str(text).lower()) if t]


def contains_run(haystack, needle):
    n = len(needle)
    return n > 0 and any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def occurs(term, text_tokens):
    """Whether `term` occurs in a text given as its tokens."""
    return contains_run(text_tokens, tokens(term))


def squash(text):
    return "".join(tokens(text))


def name_matches(entity, name):
    """Whether an answer's item name `name` names the key entity `entity`: the entity's tokens
    occur as a run in the name's ("RabbitMQ" in "rabbitmq-server"), or the entity squashed to
    letters and digits, when at least MIN_SUBSTRING_CHARS long, is a substring of the name
    squashed ("mosquitto" in "libmosquitto-dev", "bind9" in "BIND 9")."""
    if occurs(entity, tokens(name)):
        return True
    e = squash(entity)
    return len(e) >= MIN_SUBSTRING_CHARS and e in squash(name)
