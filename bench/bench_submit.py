"""Benchmark: submit 200 compiled scenes at once with the async client and wait for them all.

The emulator runs in this process (uvicorn in a background thread) with a fixed processing
time T per job. 200 scenes are compiled, then submitted and waited for concurrently with
`AsyncOdysseyClient`; at most 16 HTTP requests are in flight at any moment (an
`asyncio.Semaphore` around the client's transport), so the limit holds for the polls that
`wait()` makes too. Prints, in one run:

- wall time (first submission → last job seen completed) as a ratio to T
  (target ≤ 1.5×: the jobs really run concurrently, not 13 waves of 16);
- HTTP requests per job, from the emulator's request log, against the target
  "the polls its duration needs (T / poll interval) + 3".

Run: `.venv/bin/python bench/bench_submit.py` (about 30 seconds; `--help` for the knobs).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass

import httpx

from odyssey_dsl import compile_source
from odyssey_dsl.client import AsyncOdysseyClient
from odyssey_dsl.emit.models import Job
from odyssey_dsl.emulator import EmulatorConfig, running_emulator

JOBS = 200
CONCURRENCY = 16
PENDING_SECONDS = 0.5
DISPATCHED_SECONDS = 0.5
PROCESSING_SECONDS = 19.0
POLL_INTERVAL = 1.0
# T = 20 s and a 1 s poll interval: 200 jobs poll about 70 times a second in all, which the
# in-process emulator (sharing the GIL with the client) serves even on a busy 2-core machine.
API_KEY = "ody_bench"


class LimitedTransport(httpx.AsyncBaseTransport):
    """An HTTP transport that lets at most `limit` requests be in flight at once."""

    def __init__(self, limit: int) -> None:
        self._semaphore = asyncio.Semaphore(limit)
        self._inner = httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        )
        self.in_flight = 0
        self.peak_in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with self._semaphore:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                response = await self._inner.handle_async_request(request)
                await response.aread()  # the slot is held until the whole body is in
                return response
            finally:
                self.in_flight -= 1

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass(frozen=True)
class Outcome:
    job_id: str
    status: str
    submitted_at: float
    finished_at: float


def compile_scenes(count: int) -> list[Job]:
    """`count` distinct small scenes, compiled by the real compiler."""
    jobs = []
    for n in range(count):
        scene = (
            f'let subject = "cat number {n}"\n'
            'at 0s: start "A {{ subject }} sitting by a window"\n'
            'after 2s: interact "The {{ subject }} looks outside"\n'
            "at 4s: end\n"
        )
        result = compile_source(scene, filename=f"scene_{n}.ody")
        if not result.ok or result.job is None:
            raise SystemExit(f"scene {n} did not compile: {result.diagnostics}")
        jobs.append(result.job)
    return jobs


async def submit_and_wait(client: AsyncOdysseyClient, job: Job, poll_interval: float) -> Outcome:
    submitted = await client.simulate(job)
    submitted_at = time.perf_counter()  # when the API accepted the job
    final = await client.wait(submitted.job_id, poll_interval=poll_interval)
    return Outcome(submitted.job_id, final.status, submitted_at, time.perf_counter())


async def run_all(
    url: str, jobs: list[Job], poll_interval: float
) -> tuple[list[Outcome], float, int]:
    transport = LimitedTransport(CONCURRENCY)
    async with AsyncOdysseyClient(API_KEY, api_url=url, transport=transport) as client:
        started = time.perf_counter()
        outcomes = await asyncio.gather(
            *(submit_and_wait(client, job, poll_interval) for job in jobs)
        )
        wall = time.perf_counter() - started
    return list(outcomes), wall, transport.peak_in_flight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=JOBS, help=f"default: {JOBS}")
    parser.add_argument(
        "--processing-seconds",
        type=float,
        default=PROCESSING_SECONDS,
        help=f"the processing phase of a job (default: {PROCESSING_SECONDS:g}; T adds "
        f"{PENDING_SECONDS + DISPATCHED_SECONDS:g}s of queueing)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=POLL_INTERVAL,
        help=f"default: {POLL_INTERVAL:g}",
    )
    args = parser.parse_args()
    poll_interval: float = args.poll_interval

    config = EmulatorConfig(
        pending_seconds=PENDING_SECONDS,
        dispatched_seconds=DISPATCHED_SECONDS,
        processing_seconds=args.processing_seconds,
    )
    job_seconds = config.job_seconds
    t0 = time.perf_counter()
    jobs = compile_scenes(args.jobs)
    compile_seconds = time.perf_counter() - t0

    with running_emulator(config) as emulator:
        outcomes, wall, peak = asyncio.run(run_all(emulator.url, jobs, poll_interval))
        time.sleep(0.2)  # the emulator logs each request just after answering it
        log = emulator.state.requests

    statuses = Counter(o.status for o in outcomes)
    polls = Counter(r.job_id for r in log if r.endpoint == "GET /simulation-jobs/{job_id}")
    submits = sum(1 for r in log if r.endpoint == "POST /simulation-jobs")
    sign_ins = sum(1 for r in log if r.endpoint == "POST /auth/token")
    per_job = [polls[o.job_id] + 1 for o in outcomes]  # its polls + its submission
    total_per_job = len(log) / len(outcomes)
    polls_needed = math.ceil(job_seconds / poll_interval)
    request_target = polls_needed + 3
    ratio = wall / job_seconds
    submit_spread = max(o.submitted_at for o in outcomes) - min(o.submitted_at for o in outcomes)

    print("odyc submit benchmark (async client against the in-process emulator)")
    print(
        f"  {len(outcomes)} jobs, at most {CONCURRENCY} requests in flight "
        f"(peak seen: {peak}), poll interval {poll_interval:g}s"
    )
    print(
        f"  processing time of one job T = {job_seconds:g}s; compiling the scenes took "
        f"{compile_seconds:.2f}s (not timed below)"
    )
    print(f"  final statuses: {dict(statuses)}; submissions seen by the emulator: {submits}")
    print()
    verdict = "meets" if ratio <= 1.5 else "MISSES"
    print(f"  wall time: {wall:.2f}s = {ratio:.2f} × T   (target ≤ 1.50 × T: {verdict})")
    verdict = "meets" if max(per_job) <= request_target else "MISSES"
    print(
        f"  HTTP requests per job: mean {statistics.mean(per_job):.1f}, max {max(per_job)} "
        f"(submission + polls; target ≤ {polls_needed} polls + 3 = {request_target}: {verdict})"
    )
    print(
        f"  all requests / jobs: {total_per_job:.2f} (including {sign_ins} sign-in(s) shared "
        f"by all jobs); last job accepted {submit_spread:.2f}s after the first"
    )


if __name__ == "__main__":
    main()
