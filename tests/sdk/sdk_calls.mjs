// Drives the official Odyssey JavaScript SDK against an API at $API_URL and prints what it got,
// as one JSON document on stdout, for tests/test_sdk_compat.py to check.
//
// Environment: API_URL (read by the SDK itself), ODYSSEY_API_KEY, ODYSSEY_SDK_ENTRY (path of the
// installed SDK's dist/index.js).
import { pathToFileURL } from "node:url";

const { Odyssey } = await import(pathToFileURL(process.env.ODYSSEY_SDK_ENTRY).href);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function errorOf(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return String(error.message);
  }
}

const client = new Odyssey({ apiKey: process.env.ODYSSEY_API_KEY });
const result = {};

result.submitted = await client.simulate({
  portrait: false,
  script: [
    { timestamp_ms: 0, start: { prompt: "a cat on a windowsill" } },
    { timestamp_ms: 2000, interact: { prompt: "the cat yawns" } },
    { timestamp_ms: 4000, end: {} },
  ],
});
result.batch = await client.simulate({
  scripts: [
    [
      { timestamp_ms: 0, start: { prompt: "first stream" } },
      { timestamp_ms: 1000, end: {} },
      { timestamp_ms: 1500, start: { prompt: "second stream" } },
      { timestamp_ms: 3000, end: {} },
    ],
    [
      { timestamp_ms: 0, start: { prompt: "another script" } },
      { timestamp_ms: 2000, end: {} },
    ],
  ],
  bypassPromptExpansion: true,
});
result.hosted = await client.simulate({ script_url: "https://example.com/script.json" });
result.firstStatus = await client.getSimulateStatus(result.submitted.job_id);

result.toCancel = await client.simulate({
  script: [
    { timestamp_ms: 0, start: { prompt: "never mind" } },
    { timestamp_ms: 1000, end: {} },
  ],
});
result.cancelled = await client.cancelSimulation(result.toCancel.job_id);
result.cancelledStatus = await client.getSimulateStatus(result.toCancel.job_id);

result.listed = await client.listSimulations({ limit: 2 });
result.listedPage2 = await client.listSimulations({ limit: 2, offset: 2 });
result.listedCancelled = await client.listSimulations({ status: "cancelled" });

let status = result.firstStatus;
const deadline = Date.now() + 20000;
while (!["completed", "failed", "cancelled"].includes(status.status) && Date.now() < deadline) {
  await sleep(50);
  status = await client.getSimulateStatus(result.submitted.job_id);
}
result.finalStatus = status;
let batch = await client.getSimulateStatus(result.batch.job_id);
while (batch.status !== "completed" && Date.now() < deadline) {
  await sleep(50);
  batch = await client.getSimulateStatus(result.batch.job_id);
}
result.batchStatus = batch;

result.listedActive = await client.listSimulations({ active: true });
result.recording = await client.getRecording(status.streams[0].stream_id);
result.streamRecordings = await client.listStreamRecordings({ limit: 10 });
result.streamRecordingsDefault = await client.listStreamRecordings();

result.errors = {
  missingJob: await errorOf(client.getSimulateStatus("no-such-job")),
  cancelCompleted: await errorOf(client.cancelSimulation(result.submitted.job_id)),
  missingRecording: await errorOf(client.getRecording("no-such-stream")),
  badScript: await errorOf(client.simulate({ script: [{ timestamp_ms: -5, end: {} }] })),
  badKey: await errorOf(new Odyssey({ apiKey: "not-a-key" }).listSimulations()),
};

process.stdout.write(JSON.stringify(result));
