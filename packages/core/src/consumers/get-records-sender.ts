/**
 * Sends the GetRecords calls of one polling consumer, always with the consumer's abort signal.
 *
 * `client.send(command, { abortSignal })` builds the SDK's middleware chain again for every call: it copies the
 * client's middleware stack, sorts it and wraps every middleware, which is about a tenth of the client CPU of an
 * empty GetRecords (a worker polling 1,000 idle shards makes about 1,000 a second). The SDK caches that chain only
 * for calls without options (`cacheMiddleware`), and the consumer needs the abort signal. So the sender asks the
 * first command for its chain once (`Command.resolveMiddleware`, public SDK API: what `send` does inside), bound to
 * the consumer's signal, and runs every later GetRecords of the consumer through it - as the SDK's own cache does.
 * The consumer's calls are sequential, so the chain's execution context is never shared by two calls at once.
 *
 * Only for a plain `KinesisClient` of the SDK copy this package uses, whose `send` is the SDK's own: a client whose
 * `send` was replaced or wrapped (a test spy, a subclass, another SDK copy) is called through `send` as before.
 * Middleware added to the client after the consumer's first GetRecords applies to later consumers only.
 *
 * Given a {@link LeanGetRecords} (the worker passes one for a client it built itself), calls without `StreamARN` go
 * through it instead: the same endpoint, credentials, signer, HTTP handler and retry strategy of the client, without
 * the middleware chain (see `kinesis/lean-get-records.ts`). If the lean path cannot drive the client (it found no
 * SigV4 scheme or a legacy retry strategy at its first call), the sender falls back to the SDK path for good.
 * @internal
 */
import { GetRecordsCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandInput, GetRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import type { LeanGetRecords } from '../kinesis/lean-get-records';

type GetRecordsHandler = (command: GetRecordsCommand) => Promise<{ output: GetRecordsCommandOutput }>;

/** The SDK's own `send` (of the smithy Client that KinesisClient extends). */
const sdkSend: unknown = (Object.getPrototypeOf(KinesisClient.prototype) as { send?: unknown }).send;

export class GetRecordsSender {
  private handler: GetRecordsHandler | undefined;
  private readonly direct: boolean;
  private lean: LeanGetRecords | undefined;
  private leanChecked = false;

  constructor(
    private readonly client: KinesisClient,
    private readonly abortSignal: AbortSignal,
    lean?: LeanGetRecords,
  ) {
    this.direct = !(client instanceof KinesisClient && sdkSend !== undefined && client.send === sdkSend);
    this.lean = lean;
  }

  /** Whether calls without StreamARN go through the lean path (until a first call finds it cannot be used). */
  get throughLeanPath(): boolean {
    return this.lean !== undefined;
  }

  /** Whether calls go through `client.send` (true) or through the chain resolved once (false). */
  get throughSend(): boolean {
    return this.direct;
  }

  send(input: GetRecordsCommandInput): Promise<GetRecordsCommandOutput> {
    // Every poll once the lean path is known to work: its promise is handed on as it is (no async wrapper per poll).
    if (this.leanChecked && this.lean !== undefined && input.StreamARN === undefined) return this.lean.send(input, this.abortSignal);
    return this.sendOtherwise(input);
  }

  /** The first call (which checks the lean path), calls with StreamARN, and every call once the lean path is out. */
  private async sendOtherwise(input: GetRecordsCommandInput): Promise<GetRecordsCommandOutput> {
    if (this.lean !== undefined && input.StreamARN === undefined) {
      if (!this.leanChecked) {
        this.leanChecked = true;
        try {
          await this.lean.prepare();
        } catch {
          this.lean = undefined;
        }
      }
      if (this.lean !== undefined) return this.lean.send(input, this.abortSignal);
    }
    const command = new GetRecordsCommand(input);
    if (this.direct) return this.client.send(command, { abortSignal: this.abortSignal });
    this.handler ??= command.resolveMiddleware(this.client.middlewareStack, this.client.config, {
      abortSignal: this.abortSignal,
    }) as unknown as GetRecordsHandler;
    return (await this.handler(command)).output;
  }
}
