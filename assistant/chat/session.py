"""One chat connection's conversation: opening it (resume in `conversations.py`), the per-index vocabularies,
and `ChatSession`, which turns parsed frames into dialogue steps over the app's services and streams replies.
Knows nothing of websockets: the protocol hands it text and an `emit` callback."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import numpy as np

from assistant.chat import replies
from assistant.chat.conversations import Conversation, Conversations
from assistant.chat.dialogue import begin, run_search
from assistant.chat.execution import execute
from assistant.chat.llm import (
    GroundingIndex,
    facts_prompt,
    grounded_sentences,
    stream_completion,
    ungrounded_names,
    with_deadline,
)
from assistant.chat.matching import EngineSearch, SearchFn, is_kind
from assistant.chat.nlu import IntentExemplars, Parse, parse_message
from assistant.chat.protocol import Emit, Limits
from assistant.chat.slot_changes import SlotChanges
from assistant.chat.state import Constraints, Plan, ShownItem, TurnResult
from assistant.chat.vocab import KindNames, NluVocab
from assistant.errors import NotFound
from assistant.looks.outfits import complete_the_look
from assistant.looks.rules import OutfitRules
from assistant.looks.service import Looks
from assistant.search.cards import product_card
from assistant.search.engine import Reranker, SearchEngine
from assistant.search.query import Filters
from assistant.settings import Settings
from assistant.shoppers.recommend import personalize_for
from assistant.shoppers.service import Shoppers
from assistant.shoppers.store import ShopperStore
from index.attributes import GENDER_ADMITS
from index.catalog import Product
from index.text import normalise


class Services(Protocol):
    """What a chat session needs of the running app (assistant.services.Services provides it)."""

    settings: Settings
    shoppers: Shoppers
    looks: Looks
    chat: ChatRuntime

    @property
    def engine(self) -> SearchEngine: ...


log = logging.getLogger("shopmate.chat")


class ChatRuntime:
    """Per-app chat parts built once: conversations, and per index version the NLU and grounding vocabularies."""

    def __init__(self, settings: Settings, store: ShopperStore | None = None):
        self.settings = settings
        self.conversations = Conversations(store, settings.chat_resume_s, settings.chat_max_conversations)
        self._per_engine: tuple[int, NluVocab, GroundingIndex] | None = None
        self.exemplars: IntentExemplars | None = None
        self._lock = asyncio.Lock()

    async def vocab(self, engine: SearchEngine) -> tuple[NluVocab, GroundingIndex]:
        async with self._lock:
            if self._per_engine is None or self._per_engine[0] != id(engine):

                def build():
                    return (
                        NluVocab.from_products(engine.products, engine.vocab, engine.qvocab),
                        GroundingIndex(engine.products),
                    )

                nv, gi = await asyncio.to_thread(build)
                self._per_engine = (id(engine), nv, gi)
            if self.exemplars is None:
                self.exemplars = await asyncio.to_thread(IntentExemplars, engine.embedder.encode)
            return self._per_engine[1], self._per_engine[2]


_OCCASION_WORDS = ("party", "wedding", "formal", "casual", "sports", "festive", "office", "beach", "ethnic")


def occasion_of(p: Product) -> str | None:
    """The anchor's occasion from its specifications or title ('party' of a party dress)."""
    text = normalise(" ".join([p.attributes.get("Occasion", ""), p.title, p.product_type or ""]))
    return next((w for w in _OCCASION_WORDS if re.search(rf"\b{w}\b", text)), None)


def same_wearer(anchor: Product, p: Product) -> bool:
    """A look for a woman's watch holds no men's suspenders: when the anchor is for someone, so is each item."""
    if anchor.gender not in ("women", "men", "girls", "boys", "baby"):
        return True
    return p.gender in GENDER_ADMITS[anchor.gender]


def slot_search(search, anchor: Product, want: str) -> list[tuple[str, Product, str]]:
    """Items of the department the shopper named ("what shoes go with it?") when the look has no such slot."""
    gender = anchor.gender if anchor.gender in ("women", "men", "girls", "boys", "baby") else None
    occasion = occasion_of(anchor)
    c = Constraints(category=want, gender=gender, occasion=occasion)
    found = run_search(c, search, 4) or run_search(Constraints(category=want, gender=gender), search, 4)
    return [(want, i.product, f"{_a(want)} {want} to wear with {anchor.title}") for i in found]


def look_items(
    engine: SearchEngine,
    search: SearchFn,
    anchor: Product,
    want: str | None,
    rules: OutfitRules | None = None,
    profile: np.ndarray | None = None,
    copurchase: Iterable[tuple[str, str, int]] = (),
) -> list[tuple[str, Product, str]]:
    """What the chat shows to go with the anchor (execution.LookFn): its look, each item for the anchor's wearer;
    with want ("what shoes go with it?"), the look's items of that kind, else a search for it."""
    result = complete_the_look(engine, [anchor], k=2, profile=profile, copurchase=copurchase, rules=rules)
    out = [(s.slot, it.product, it.why) for s in result.slots for it in s.items]
    out = [x for x in out if same_wearer(anchor, x[1])]
    if want and occasion_of(anchor):  # party shoes for a party dress: search that department directly
        out = slot_search(search, anchor, want) or [x for x in out if is_kind(x[1], want, search)]
    elif want:
        out = [x for x in out if is_kind(x[1], want, search)] or slot_search(search, anchor, want)
    return out


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


class ChatSession:
    """The handler of one connection: turns frames into dialogue steps and streams the replies."""

    def __init__(self, svc: Services, conv: Conversation, shopper_id: str | None, headers: Mapping[str, str]):
        self.svc, self.conv = svc, conv
        self.rt = svc.chat
        self.shoppers = svc.shoppers
        self.shopper_id, self.headers = shopper_id, headers
        self.personalized = False  # did a search of this connection use the shopper's history? ("why" says so)

    # --- wiring to the app's services
    def _searcher(self, engine: SearchEngine) -> EngineSearch:
        sid = self.shopper_id
        if not sid:
            return EngineSearch(engine)

        def rerank(query: str, filters: Filters) -> Reranker | None:
            found = personalize_for(self.shoppers, engine, sid, self.headers, query, filters)
            self.personalized = self.personalized or found is not None
            return found

        return EngineSearch(engine, rerank)

    def _look(self, engine: SearchEngine, search):
        rules = self.svc.looks.rules()

        def look(anchor: Product, want: str | None) -> list[tuple[str, Product, str]]:
            profile = self.shoppers.profile_vector(self.shopper_id) if self.shopper_id else None
            return look_items(engine, search, anchor, want, rules, profile, self.shoppers.copurchase_pairs())

        return look

    def _record(self, events: list[dict[str, Any]]) -> None:
        if self.shopper_id:
            try:
                self.shoppers.record(self.shopper_id, events)
            except Exception as e:  # chat goes on even when the event store refuses
                log.warning("chat event not recorded: %s", type(e).__name__)

    # --- handler interface
    async def on_message(self, text: str, emit: Emit) -> None:
        engine = self.svc.engine
        vocab, _ = await self.rt.vocab(engine)
        kind = self.conv.state.constraints.category  # what is talked about ("double bed" after bedsheets)
        parse = await asyncio.to_thread(
            parse_message, text, vocab, self.rt.exemplars, engine.embedder.encode_query, kind=kind
        )
        await self._turn(parse, emit, engine, query=text)

    async def on_action(self, action: str, product_id: str, emit: Emit) -> None:
        engine = self.svc.engine
        await self.rt.vocab(engine)
        if engine.index.product(product_id) is None:
            raise NotFound(f"no product with id {product_id!r}; use the id of a product card")
        intent = {
            "add_to_cart": "cart_add",
            "remove_from_cart": "cart_remove",
            "show_similar": "similar",
            "complete_look": "outfit",
            "why": "why",
        }[action]
        await asyncio.to_thread(self.rt.conversations.refresh, self.conv)  # the list the reference is into
        st = self.conv.state
        if product_id not in st.shown:
            st.shown.append(product_id)
        parse = Parse(intent, SlotChanges(), refs=[st.shown.index(product_id) + 1], source="action")
        await self._turn(parse, emit, engine)

    async def on_reset(self, emit: Emit) -> None:
        await self._turn(Parse("reset", SlotChanges(), source="action"), emit, self.svc.engine)

    async def _turn(self, parse: Parse, emit: Emit, engine: SearchEngine, query: str | None = None) -> None:
        vocab, grounding = await self.rt.vocab(engine)
        async with self.conv.lock:
            await asyncio.to_thread(self.rt.conversations.refresh, self.conv)  # another replica's turns
            st = self.conv.state
            plan = begin(st, parse, engine.index.product)
            first = replies.ack(plan, st.constraints, vocab.kind_names)
            for piece in replies.chunks(first):  # the first words go out before any search runs
                await emit("delta", text=piece)
            search = self._searcher(engine)
            look = self._look(engine, search)
            res = await asyncio.to_thread(execute, st, plan, search, engine.index.product, look, vocab.materials)
            await self._side_effects(plan, res, query)
            body = replies.reply_text(res, plan, vocab.kind_names)
            await self._stream_body(body, first, res, grounding, emit, vocab.kind_names)
            items = res.items if res.kind != "cart_show" else [ShownItem(p, ["in your cart"]) for p in res.cart]
            await emit("products", items=[product_card(i.product, why=i.why) for i in items])
            await emit("suggestions", chips=res.chips)
            # durable before `done`: a reconnect after it resumes from this turn on any replica
            keep = self.rt.conversations.drop if res.kind == "forget" else self.rt.conversations.save
            await asyncio.to_thread(keep, self.conv)
            self.conv.seen = time.monotonic()

    async def _side_effects(self, plan: Plan, res: TurnResult, query: str | None) -> None:
        now = time.time()
        if res.kind in ("search", "refine", "cheaper", "pricier", "something_else") and query:
            await asyncio.to_thread(
                self._record, [{"type": "search", "query": query[:500], "ts": now, "context": {"page": "chat"}}]
            )
        if res.kind in ("cart_add", "cart_remove") and res.items:
            kind = "add_to_cart" if res.kind == "cart_add" else "remove_from_cart"
            await asyncio.to_thread(
                self._record,
                [{"type": kind, "product_id": res.items[0].product.id, "ts": now, "context": {"page": "chat"}}],
            )
        # a size is kept in the profile only with consent; materials have no profile key yet, so a dislike
        # lives in this conversation's constraints
        if res.pref_updates.get("size") and self.shopper_id and self.shoppers.has_consent(self.shopper_id):
            await asyncio.to_thread(
                self.shoppers.set_preference, self.shopper_id, "sizes", [str(res.pref_updates["size"])]
            )
        if res.kind == "why" and self.personalized:
            res.note = "personalized"
        if res.kind == "forget" and self.shopper_id:
            await asyncio.to_thread(self.shoppers.erase, self.shopper_id)
            res.note = "profile"

    async def _stream_body(
        self, body: str, first: str, res: TurnResult, grounding: GroundingIndex, emit: Emit, names: KindNames
    ) -> None:
        s = self.svc.settings
        sep = " " if first else ""
        if s.llm_url and s.llm_model and res.items:
            allowed = [i.product for i in res.items]
            check = lambda text: ungrounded_names(text, allowed, grounding)
            messages = facts_prompt(body, allowed, replies.describe(res.constraints or Constraints(), names=names))
            sent = False
            try:
                tokens = with_deadline(
                    stream_completion(s.llm_url, s.llm_model, messages, s.llm_api_key, s.llm_total_s),
                    s.llm_first_token_s,
                    s.llm_total_s,
                )
                async for sentence in grounded_sentences(tokens, check):
                    await emit("delta", text=sep + sentence if not sent else sentence)
                    sent = True
                if sent:
                    return
            except Exception as e:  # any failure: the template reply, which is grounded by construction
                log.warning("LLM reply dropped (%s); using the template reply", type(e).__name__)
            if sent:
                body = "To be exact: " + body
        for i, piece in enumerate(replies.chunks(body)):
            await emit("delta", text=(sep + piece) if i == 0 else piece)


async def open_conversation(
    svc: Services, shopper_id: str | None, conversation_id: str | None
) -> tuple[Conversation, bool]:
    """(conversation, resumed?) for a new connection; Forbidden when conversation_id is someone else's.

    A conversation is resumed by its id (or, for a shopper who names none, their latest one), from this
    replica's memory or the store; an unknown or expired id starts afresh. A new shopper conversation starts
    with the shopper's stored cart."""
    conv, resumed = await asyncio.to_thread(svc.chat.conversations.open, conversation_id or None, shopper_id)
    if shopper_id and not resumed:
        try:
            conv.state.cart = list(await asyncio.to_thread(svc.shoppers.cart, shopper_id))
        except Exception as e:  # the conversation still works without the stored cart
            log.warning("could not read the cart: %s", type(e).__name__)
    return conv, resumed


def limits_of(s: Settings) -> Limits:
    return Limits(
        max_frame_bytes=s.chat_max_frame_bytes,
        rate_per_s=s.chat_rate_per_s,
        idle_timeout_s=s.chat_idle_timeout_s,
        send_timeout_s=s.chat_send_timeout_s,
        abuse_errors=s.chat_abuse_errors,
    )
