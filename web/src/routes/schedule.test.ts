import { describe, expect, it } from "vitest";
import { API_SCHEDULE } from "../../../common/src/ingestion-schedule.ts";
import { createApp } from "../app.tsx";
import { testWorld } from "../testing/deps.ts";

const auth = { Authorization: "Bearer s3cret" };

describe("the schedule's controls", () => {
  it("write the operator's columns of the control row, only with the admin token", async () => {
    const w = testWorld({ adminToken: "s3cret" });
    const app = createApp(w.deps);
    expect((await app.request("/api/ingestion/schedule/trigger", { method: "POST" })).status).toBe(401);
    expect(await w.schedule.schedule(API_SCHEDULE)).toBeNull();

    const before = Date.now();
    const res = await app.request("/api/ingestion/schedule/trigger", { method: "POST", headers: auth });
    expect(res.status).toBe(202);
    expect((await w.schedule.schedule(API_SCHEDULE))?.triggerRequestedAt).toBeGreaterThanOrEqual(before);

    await app.request("/api/ingestion/schedule/pause", { method: "POST", headers: auth });
    expect((await w.schedule.schedule(API_SCHEDULE))?.paused).toBe(true);
    const card = await app.request("/api/ingestion/schedule/resume", {
      method: "POST",
      headers: { ...auth, "HX-Request": "true" },
    });
    expect(await card.text()).toContain("schedule resumed");
    expect((await w.schedule.schedule(API_SCHEDULE))?.paused).toBe(false);
  });

  it("the Ingestion page says when no scheduler runs, and hides the controls without a configured token", async () => {
    const html = await (await createApp(testWorld().deps).request("/ingestion")).text();
    expect(html).toContain("no scheduler running");
    expect(html).toContain("bun run producer --source api");
    expect(html).not.toContain('id="trigger-run"');
  });

  it("answers 404 for a run id that is not a time-based UUID or not stored", async () => {
    const app = createApp(testWorld().deps);
    expect((await app.request("/ingestion/runs/nope")).status).toBe(404);
    expect((await app.request("/api/runs/6b1e0e40-3000-11ef-8000-000000000000")).status).toBe(404);
  });
});
