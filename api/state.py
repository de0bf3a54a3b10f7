"""What the api builds once at start-up and shares with every request."""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.rate_limits import RateLimits
from assistant.channels.mms import PictureFetcher
from assistant.channels.sms import InboxProcessor
from assistant.conversation.turn import TurnHandler
from assistant.dialogue.rasa_client import RasaClient
from assistant.messaging.outbox import Gateway
from assistant.outreach.scheduler import OutreachScheduler
from assistant.settings import Settings
from assistant.templates import TemplateRegistry


@dataclass
class StoreState:
    """What both listeners share: the settings and the database."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


@dataclass
class AppState(StoreState):
    """The public listener's: conversations, channels, background work."""

    registry: TemplateRegistry
    rasa: RasaClient
    turns: TurnHandler
    inbox: InboxProcessor
    # Twilio with credentials, else a dry run that logs.
    sms_gateway: Gateway
    outreach: OutreachScheduler
    # Fetches the pictures clients send by MMS from Twilio.
    pictures: PictureFetcher
    # Per-sender and per-address limits on chat, SMS and sign-in.
    limits: RateLimits
