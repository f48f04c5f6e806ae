import { ConfigError } from '@kcl/core';
import type { CloudWatchMonitoringOptions } from './options';

/** Throws a ConfigError naming the first invalid option. */
export function validateOptions(options: CloudWatchMonitoringOptions): void {
  const { namespace, output, flushIntervalMillis, maxBufferedDatums, storageResolution, workerIdentifier, emfWriter } = options;
  if (
    namespace !== undefined &&
    (typeof namespace !== 'string' || namespace.trim() === '' || namespace.length > 255 || namespace.startsWith('AWS/'))
  ) {
    throw new ConfigError('namespace', namespace, 'a non-empty string of at most 255 characters not starting with "AWS/"');
  }
  if (output !== undefined && output !== 'putMetricData' && output !== 'emf') {
    throw new ConfigError('output', output, '"putMetricData" or "emf"');
  }
  if (
    flushIntervalMillis !== undefined &&
    (!Number.isInteger(flushIntervalMillis) || flushIntervalMillis < 1_000 || flushIntervalMillis > 3_600_000)
  ) {
    throw new ConfigError('flushIntervalMillis', flushIntervalMillis, 'an integer from 1000 to 3600000');
  }
  if (maxBufferedDatums !== undefined && (!Number.isInteger(maxBufferedDatums) || maxBufferedDatums < 1)) {
    throw new ConfigError('maxBufferedDatums', maxBufferedDatums, 'an integer >= 1');
  }
  if (storageResolution !== undefined && storageResolution !== 1 && storageResolution !== 60) {
    throw new ConfigError('storageResolution', storageResolution, '1 or 60');
  }
  if (workerIdentifier !== undefined && (typeof workerIdentifier !== 'string' || workerIdentifier.trim() === '')) {
    throw new ConfigError('workerIdentifier', workerIdentifier, 'a non-empty string, or leave it unset for the worker id');
  }
  if (emfWriter !== undefined && typeof emfWriter !== 'function') {
    throw new ConfigError('emfWriter', typeof emfWriter, 'a function (line: string) => void');
  }
  if (options.client !== undefined && options.clientConfig !== undefined) {
    throw new ConfigError('clientConfig', '<object>', 'unset when client is given', 'Configure the client you pass instead.');
  }
}
