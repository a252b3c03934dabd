"""Typed FastAPI dependencies shared by the routers: the app's services, the current shopper, admin access.

A route declares what it needs (`svc: ServicesDep`, `sid: ShopperDep`) instead of digging in `app.state`.
Dependencies that only read memory are `async def`: FastAPI runs a plain-function dependency in the thread
pool, a hop (and a wait behind busy workers) for each one before a sync route even starts. The token check
stays a plain function: on a shared store it may read the database."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.errors import Forbidden, Unauthorized
from assistant.services import Services
from assistant.shoppers import tokens


def get_services(request: Request) -> Services:
    """The app's services (for routes that read them directly instead of as a dependency)."""
    svc: Services = request.app.state.services
    return svc


async def services_dep(request: Request) -> Services:
    return get_services(request)


def optional_shopper(request: Request) -> str | None:
    """The shopper named by the bearer token, or None without one; a bad or expired token is a 401."""
    tok = tokens.bearer(request.headers.get("authorization"))
    return None if tok is None else get_services(request).shoppers.authenticate(tok)


async def required_shopper(sid: Annotated[str | None, Depends(optional_shopper)]) -> str:
    if sid is None:
        raise Unauthorized(
            "this call is personal: send 'Authorization: Bearer <token>' (POST /api/sessions gives you one)"
        )
    return sid


async def require_admin(
    svc: Annotated[Services, Depends(services_dep)], authorization: Annotated[str | None, Header()] = None
) -> None:
    token = svc.settings.admin_token
    if not token:
        raise Forbidden("admin endpoints are disabled: set SHOPMATE_ADMIN_TOKEN to enable them")
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise Forbidden("wrong or missing admin token: send 'Authorization: Bearer <SHOPMATE_ADMIN_TOKEN>'")


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy: uvicorn's --proxy-headers/--forwarded-allow-ips set it)."""
    return request.client.host if request.client else "?"


async def limit_sessions(request: Request) -> None:
    """POST /api/sessions inserts a row: at most SHOPMATE_RATE_SESSIONS per client address (429)."""
    request.app.state.rate_limits.check("sessions", client_address(request))


async def limit_events(request: Request, sid: Annotated[str, Depends(required_shopper)]) -> None:
    """POST /api/events: at most SHOPMATE_RATE_EVENTS requests per shopper (429)."""
    request.app.state.rate_limits.check("events", sid)


ServicesDep = Annotated[Services, Depends(services_dep)]
OptionalShopper = Annotated[str | None, Depends(optional_shopper)]
ShopperDep = Annotated[str, Depends(required_shopper)]
AdminDep = Depends(require_admin)
SessionsRate = Depends(limit_sessions)
EventsRate = Depends(limit_events)
