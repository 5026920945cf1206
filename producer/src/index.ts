// The producer's programmatic API, for the processor, benchmark and end-to-end tests.
export { type ApiRunResult, runApiOnce, runApiSchedule } from "./api-source.ts";
export { formatFixtureLine, parseFixtureLine, withoutSecrets } from "./fixture-format.ts";
export { type GeneratedEvent, generateFixtureEvents } from "./fixture-generator.ts";
export { readFixture } from "./fixture-reader.ts";
export { FixtureRecorder } from "./fixture-recorder.ts";
export type { IngestStats } from "./ingestor.ts";
export { openPipeline, type Pipeline, type PipelineOptions } from "./pipeline.ts";
export { type ReplayOptions, replayFile } from "./replay.ts";
export { RunsStore } from "./runs-store.ts";
export { registerUserSchema, valueSubject } from "./schema-registry.ts";
export { produceSynthetic, type SyntheticOptions } from "./synthetic.ts";
export { syntheticUser } from "./synthetic-users.ts";
export { mapUser } from "./user-mapping.ts";
