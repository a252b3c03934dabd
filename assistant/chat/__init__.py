"""Chat: the multi-turn shopping conversation streamed over a websocket. The frame protocol (limits, rate,
resume), message understanding, the dialogue state machine, grounded template replies and the optional LLM
phrasing; `ChatSession` ties them to the app's services for one connection.

Public interface: `ChatProtocol`, `Limits`, `ChatRuntime`, `ChatSession`, `parse_message`, `DialogueState`.
"""

from assistant.chat.conversations import Conversations
from assistant.chat.nlu import parse_message
from assistant.chat.protocol import ChatProtocol, Limits
from assistant.chat.session import ChatRuntime, ChatSession
from assistant.chat.state import DialogueState

__all__ = [
    "ChatProtocol",
    "ChatRuntime",
    "ChatSession",
    "Conversations",
    "DialogueState",
    "Limits",
    "parse_message",
]
