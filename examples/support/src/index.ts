// @kcl/example-support (private): the part of every example that is not @kcl usage - where it runs (local test bed or
// AWS), the sample stream and records, and counting what was consumed. The examples' main files stay user code.
export { exampleEnvironment, ExampleEnvironment, LOCAL_SHARD_COUNT, LOCAL_TIMINGS, type ExampleEnvironmentOptions } from './environment';
export { parseExampleArgs, EXAMPLE_USAGE, type ExampleArgs } from './args';
export { resolveSettings, hasAwsConfiguration, type ExampleMode, type ExampleSettings, type ExampleStore } from './settings';
export { ConsumptionTally, type TalliedRecord } from './tally';
export { sampleRecord, putSampleRecords } from './sample-producer';
export { localCloudWatch, type LocalCloudWatch } from './cloudwatch';
export { CheckpointingProcessor, checkpointingProcessors, runUntilStopped, type RunUntilStoppedOptions } from './metrics-example';
