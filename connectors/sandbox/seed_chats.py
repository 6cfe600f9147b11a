"""Chats in the HubSpot conversations inbox, and product usage of trial users, for the company.

Both draw from a random generator of their own, so adding them left every other line of the
company as it was.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from .seed_hubspot_records import hs_time, line
from .seed_model import Person, World

OPENERS = (
    "Hi, quick question about your lead scoring",
    "Hello! I'm looking at tools for our marketing ops team",
    "Hey there, does this work with HubSpot and Salesforce both?",
    "Hi, I read your post on MQL vs SQL",
)
INTENT = (  # a visitor message that shows buying intent (chat_intent_rules)
    "What does it cost for a team of 20?",
    "Can we book a demo next week?",
    "We'd like to buy licenses for our sales team",
    "Is there a trial we could run as a pilot?",
    "Could I talk to sales about a quote?",
)
SMALL_TALK = ("Thanks, that helps", "Ok, I'll have a look at the docs", "Great, thank you!")
REPLIES = (
    "Happy to help! Here is a link to our guide.",
    "Sure - I'll pass this on to the team.",
    "Thanks for reaching out, let me check.",
)
USAGE_EVENTS = ("login", "report_created", "model_scored", "integration_connected", "user_invited")


def chat_lines(world: World, rng: random.Random, contact_ids: dict[int, str]) -> Iterator[dict]:
    """Threads with the visitor's messages and our replies, mostly from engaged people."""
    now = world.today
    thread_ids = iter(range(700001, 10**9))
    message_ids = iter(range(900001, 10**9))
    for person in world.people:
        contact = contact_ids.get(person.n)
        chance = {"hot": 0.35, "engaged": 0.15, "light": 0.04}.get(person.level, 0.0)
        if contact is None or rng.random() >= chance:
            continue
        since = max(person.created, now - timedelta(days=180))
        span = max((now - since).total_seconds() - 3600, 0)
        started = (since + timedelta(seconds=int(rng.uniform(0, span)))).replace(microsecond=0)
        intent = rng.random() < (0.6 if person.level == "hot" else 0.25)
        texts = [("INCOMING", rng.choice(OPENERS)), ("OUTGOING", rng.choice(REPLIES))]
        texts.append(("INCOMING", rng.choice(INTENT if intent else SMALL_TALK)))
        texts.append(("OUTGOING", rng.choice(REPLIES)))
        thread = str(next(thread_ids))
        at = started
        messages = []
        for direction, text in texts:
            at = min(at + timedelta(seconds=rng.randint(20, 240)), now - timedelta(seconds=1))
            messages.append(message(str(next(message_ids)), thread, direction, text, at, person))
        yield line(
            "conversation_threads",
            {
                "id": thread,
                "createdAt": hs_time(started),
                "status": "CLOSED",
                "spam": False,
                "inboxId": "1",
                "originalChannelId": "1000",
                "associatedContactId": contact,
                "latestMessageTimestamp": hs_time(at),
                "archived": False,
            },
        )
        yield from messages


def message(mid: str, thread: str, direction: str, text: str, at: datetime, person: Person) -> dict:
    visitor = direction == "INCOMING"
    actor = f"V-{person.n}" if visitor else "A-101"
    return line(
        "conversation_messages",
        {
            "id": mid,
            "type": "MESSAGE",
            "conversationsThreadId": thread,
            "createdAt": hs_time(at),
            "createdBy": actor,
            "direction": direction,
            "text": text,
            "senders": [{"actorId": actor, "name": person.first if visitor else "Support"}],
        },
    )


def usage_rows(world: World, rng: random.Random) -> list[dict]:
    """Product events of the people who signed up for a trial: a burst after the signup."""
    now = world.today
    rows = []
    for person in world.people:
        trials = [t for t in person.touches if t.kind == "form" and t.info.get("form") == "Free trial signup"]
        if not trials:
            continue
        start = trials[0].at
        for n in range(rng.choice((2, 5, 12, 25))):
            at = start + timedelta(seconds=int(rng.uniform(0, 14) * 86400))
            if at >= now:
                continue
            rows.append(
                {
                    "event_id": f"u-{person.n}-{n}",
                    "email": person.email,
                    "event_name": rng.choice(USAGE_EVENTS),
                    "occurred_at": at.replace(tzinfo=None, microsecond=0),
                    "quantity": 1,
                }
            )
    return rows
