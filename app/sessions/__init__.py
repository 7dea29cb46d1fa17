"""Sessions: the floor between the API and the core.

A session is a small record (record.py) that a store keeps (memory.py, redis.py behind
store.py's interface); commands.py changes it one command at a time and numbers each
change as an event (events.py); replay.py rebuilds the core's Run from a record.
"""

from app.sessions.commands import Outcome, SessionNotFoundError, Sessions, WrongTokenError
from app.sessions.memory import MemoryStore
from app.sessions.record import RecordUnreadableError, SessionRecord, decode_record, encode_record
from app.sessions.replay import RunCache, replay
from app.sessions.store import SessionBusyError, SessionStore, StoreUnavailableError

__all__ = [
    "MemoryStore",
    "Outcome",
    "RecordUnreadableError",
    "RunCache",
    "SessionBusyError",
    "SessionNotFoundError",
    "SessionRecord",
    "SessionStore",
    "Sessions",
    "StoreUnavailableError",
    "WrongTokenError",
    "decode_record",
    "encode_record",
    "replay",
]
