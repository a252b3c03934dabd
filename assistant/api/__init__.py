"""API: the FastAPI app (`create_app`) and its thin routers. Each route only translates HTTP or websocket
frames into calls of the capability packages (search, shoppers, suggest, looks, chat); typed dependencies
live in `deps`, error types become responses in `errors`.
"""

from assistant.api.app import create_app, main

__all__ = ["create_app", "main"]
