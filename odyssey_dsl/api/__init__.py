"""Former home of the API client, kept so that `from odyssey_dsl.api import ...` still works.

New code imports from `odyssey_dsl.client`.
"""

from odyssey_dsl.client import DEFAULT_API_URL, AsyncOdysseyClient, OdysseyClient, errors, wire

__all__ = ["DEFAULT_API_URL", "AsyncOdysseyClient", "OdysseyClient", "errors", "wire"]
