import { datumTotal, LOCAL_CREDENTIALS, receivedData, startCloudWatchStandIn, type CloudWatchStandIn } from '@kcl/testbed';
import type { ExampleEnvironment } from './environment';

/** The local CloudWatch stand-in of an example run on the test bed. */
export interface LocalCloudWatch {
  /** Spread into `CloudWatchMonitoringOptions.clientConfig`: the stand-in's endpoint, region and dummy credentials. */
  readonly clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** One line: requests received and the totals of a few metrics. */
  describe(): string;
  stop(): Promise<void>;
}

const SUMMED = ['RecordsProcessed', 'DataBytesProcessed', 'RenewLease.Success'] as const;

/**
 * On the local test bed: starts a CloudWatch stand-in on 127.0.0.1 (it decodes the PutMetricData requests of the
 * AWS SDK) and prints its endpoint; KCL_CLOUDWATCH_ENDPOINT names one that is already running instead. On AWS:
 * undefined (the real CloudWatch of the region is used).
 */
export async function localCloudWatch(env: ExampleEnvironment, print: (line: string) => void = console.log): Promise<LocalCloudWatch | undefined> {
  if (env.mode === 'aws') return undefined;
  const given = process.env.KCL_CLOUDWATCH_ENDPOINT;
  const standIn: CloudWatchStandIn | undefined = given ? undefined : await startCloudWatchStandIn();
  const endpoint = given ?? standIn!.endpoint;
  print(`cloudwatch ${endpoint} (${given ? 'given' : 'local stand-in'})`);
  return {
    clientConfig: { endpoint, region: env.region, credentials: { ...LOCAL_CREDENTIALS } },
    describe: () => {
      if (!standIn) return `cloudwatch: metrics sent to ${endpoint}`;
      const data = receivedData(standIn);
      const totals = SUMMED.map((name) => `${name}=${data.filter((d) => d.MetricName === name).reduce((sum, d) => sum + datumTotal(d), 0)}`);
      const namespaces = [...new Set(standIn.accepted.map((r) => r.body.Namespace))].join(',');
      return `cloudwatch stand-in received ${standIn.accepted.length} PutMetricData requests (${data.length} data, namespace ${namespaces}): ${totals.join(' ')}`;
    },
    stop: async () => {
      await standIn?.stop();
    },
  };
}
