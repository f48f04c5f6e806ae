/**
 * Recognises failures of Kinesis calls that are about credentials (none found, or rejected by Kinesis), which no retry
 * fixes, and words them so the user knows what to configure.
 * @internal
 */

/** Error names of credentials Kinesis rejected (or could not verify). */
const REJECTED_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);

const HOW_TO_FIX =
  'Set them with KinesisClientLibConfig.withKinesisCredentials() (or withCredentials()), or configure the AWS ' +
  'credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance or task role).';

/**
 * A message for a credentials failure of `operation` (e.g. `ListShards on stream "orders"`), or undefined when
 * `error` is not about credentials.
 */
export function describeKinesisCredentialsError(error: unknown, operation: string): string | undefined {
  const name =
    typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError') {
    return `No AWS credentials for Kinesis (${operation}): ${message}. ${HOW_TO_FIX}`;
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return `Kinesis rejected the AWS credentials (${operation}): ${name}: ${message}. Check the credentials: ${HOW_TO_FIX}`;
  }
  return undefined;
}
