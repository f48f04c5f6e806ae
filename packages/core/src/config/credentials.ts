/**
 * Static AWS credentials. Structurally compatible with the AWS SDK v3 `AwsCredentialIdentity`, so it can be passed
 * to any SDK client's `credentials` option as is.
 */
export interface KclCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Only for temporary (STS) credentials. */
  readonly sessionToken?: string;
  /** When temporary credentials expire. */
  readonly expiration?: Date;
}

/**
 * A function that resolves credentials, e.g. one of the AWS SDK's providers (`fromIni()`, `fromNodeProviderChain()`,
 * `fromTemporaryCredentials()` from `@aws-sdk/credential-providers`). The SDK calls it and caches the result until
 * `expiration`.
 */
export type KclCredentialProvider = () => Promise<KclCredentials>;

/** What the credential setters accept: static credentials or a provider. */
export type KclCredentialsSource = KclCredentials | KclCredentialProvider;
