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
 * @internal
 */
import { GetRecordsCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandInput, GetRecordsCommandOutput } from '@aws-sdk/client-kinesis';

type GetRecordsHandler = (command: GetRecordsCommand) => Promise<{ output: GetRecordsCommandOutput }>;

/** The SDK's own `send` (of the smithy Client that KinesisClient extends). */
const sdkSend: unknown = (Object.getPrototypeOf(KinesisClient.prototype) as { send?: unknown }).send;

export class GetRecordsSender {
  private handler: GetRecordsHandler | undefined;
  private readonly direct: boolean;

  constructor(
    private readonly client: KinesisClient,
    private readonly abortSignal: AbortSignal,
  ) {
    this.direct = !(client instanceof KinesisClient && sdkSend !== undefined && client.send === sdkSend);
  }

  /** Whether calls go through `client.send` (true) or through the chain resolved once (false). */
  get throughSend(): boolean {
    return this.direct;
  }

  async send(input: GetRecordsCommandInput): Promise<GetRecordsCommandOutput> {
    const command = new GetRecordsCommand(input);
    if (this.direct) return this.client.send(command, { abortSignal: this.abortSignal });
    this.handler ??= command.resolveMiddleware(this.client.middlewareStack, this.client.config, {
      abortSignal: this.abortSignal,
    }) as unknown as GetRecordsHandler;
    return (await this.handler(command)).output;
  }
}
