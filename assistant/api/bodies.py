"""Request bodies of the HTTP routes as pydantic models, so /docs and the OpenAPI schema show them.

Consent and the autocomplete accept are validated by these models. Events, preferences and the login
link are parsed by the shopper service (one validator shared with the websocket and the scripts); their
models here are the documented shape (`openapi_body`). Every body has passed `middleware.BodyGuard` first.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import BadInput

MAX_TEXT = 200
EventType = Literal["view", "click", "add_to_cart", "remove_from_cart", "purchase", "dismiss", "search", "wishlist"]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    # omitted = unchanged; null is refused, so the schema says boolean (the None default is never sent)
    personalization: bool = Field(None, description="personalized ranking from your history")  # type: ignore[assignment]
    nudges: bool = Field(None, description="messages such as 'back in stock' or 'time to reorder'")  # type: ignore[assignment]


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., min_length=1, max_length=MAX_TEXT, description="the suggestion chosen")


class EventIn(BaseModel):
    """One shopper event; a batch is a list of them (at most SHOPMATE_MAX_EVENT_BATCH). A search event takes
    a query, every other type a product_id from the catalog."""

    model_config = ConfigDict(extra="forbid")
    type: EventType
    product_id: str | None = Field(None, min_length=1, max_length=200)
    query: str | None = Field(None, max_length=500, pattern=r"\S")
    ts: float | None = Field(None, description="unix seconds; default: now")
    context: dict[str, Any] | None = Field(None, description="device, page... (free-form, small)")


class PreferencesIn(BaseModel):
    """Explicit preferences (at least one); null removes one."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"minProperties": 1})
    sizes: list[str] | None = None
    colours: list[str] | None = None
    brands: list[str] | None = None
    categories: list[str] | None = None
    gender: str | None = None
    price_band: list[float] | None = Field(None, min_length=2, max_length=2, description="[min, max]")


class LinkIn(BaseModel):
    """The shop's signed login assertion."""

    model_config = ConfigDict(extra="forbid", strict=True)

    account_id: str
    ts: int = Field(..., ge=0, le=2**53, description="unix seconds when the shop signed it")
    sig: str = Field(..., description="hex HMAC-SHA256(shop_secret, '<account_id>.<ts>')")


def openapi_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its JSON body itself."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


def events_schema() -> dict[str, Any]:
    one = EventIn.model_json_schema()
    return {"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]}


def check(model: type[BaseModel], body: Any) -> None:
    """BadInput (422) naming the first field of body that does not fit model; the body itself is used as is."""
    try:
        model.model_validate(body)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ())) or "body"
        raise BadInput(f"{where}: {err.get('msg')}") from None
