"""The demo world: a few accounts with different consent, their devices, and what they say."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSpeaker:
    account_ref: str
    serial: str
    voice: str
    region: str
    review: str  # opted_in | opted_out
    store: bool
    model_training: bool = False  # may what reviewers settle on this account's clips train models


@dataclass(frozen=True)
class DemoCommand:
    # what was said (what a careful reviewer writes): words the demo's espeak voices say so that
    # Whisper tiny.en hears them ("add oat milk" came out as "and all to milk", whose "milk"
    # was then bleeped as a name)
    text: str
    intent: str  # what was meant
    confidence: float
    # What the device's own ASR and NLU made of it, where they got it wrong.
    device_text: str | None = None
    device_intent: str | None = None

    @property
    def heard_by_device(self) -> str:
        return self.device_text or self.text


SPEAKERS = (
    DemoSpeaker("ACCT-1001", "ECHO-7F3A-0001", "en-us+f3", "eu", "opted_in", True, True),
    DemoSpeaker("ACCT-1002", "ECHO-7F3A-0002", "en+m1", "eu", "opted_in", True),
    DemoSpeaker("ACCT-1003", "ECHO-7F3A-0003", "en+f2", "us", "opted_in", True, True),
    DemoSpeaker("ACCT-1004", "ECHO-7F3A-0004", "en+m3", "us", "opted_out", True),
    DemoSpeaker("ACCT-1005", "ECHO-7F3A-0005", "en-us+f2", "eu", "opted_in", False),
)

COMMANDS = (
    DemoCommand("set an alarm for seven thirty tomorrow morning", "alarm_set", 0.93),
    DemoCommand("what is the weather like in lisbon this weekend", "weather_query", 0.88),
    DemoCommand(
        "call john smith on five five five one two one two",
        "calling_call",
        0.71,
        device_text="call jon smith on five five five one to one two",
    ),
    DemoCommand("play some relaxing music in the kitchen", "play_music", 0.9),
    DemoCommand(
        "remind me to pick up the laundry at five",
        "calendar_set",
        0.64,
        device_text="remind me to pick up the laundry at nine",
    ),
    DemoCommand("turn the living room lights down to thirty percent", "iot_hue_lightdim", 0.83),
    DemoCommand("put milk and bread on my shopping list", "lists_createoradd", 0.79),
    DemoCommand(
        "my name is sarah connor and my card number is four one one one", "general_quirky", 0.42
    ),
    DemoCommand("how long will it take to drive to the airport", "transport_query", 0.86),
    DemoCommand("read me the latest news headlines", "news_query", 0.91),
    DemoCommand(
        "send a message to mum saying i will be late",
        "email_sendemail",
        0.55,
        device_text="send a message to tom saying i will be late",
    ),
    DemoCommand(
        "what time does the pharmacy on oak street close",
        "qa_factoid",
        0.6,
        device_text="what time does the pharmacy on oak street clothes",
        device_intent="general_quirky",
    ),
)
