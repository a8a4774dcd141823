"""A client for the Odyssey Simulate API, sync (`OdysseyClient`) and async (`AsyncOdysseyClient`).

>>> with OdysseyClient() as client:  # doctest: +SKIP
...     submitted = client.simulate(compile_file("scene.ody").job)
...     final = client.wait(submitted.job_id)
"""

from odyssey_dsl.client import errors, wire
from odyssey_dsl.client.client import DEFAULT_API_URL, AsyncOdysseyClient, OdysseyClient

__all__ = ["DEFAULT_API_URL", "AsyncOdysseyClient", "OdysseyClient", "errors", "wire"]
