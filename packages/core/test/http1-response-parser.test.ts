/**
 * The incremental HTTP/1.1 response parser of the lean GetRecords transport: the same answer whatever the chunk
 * boundaries (every split point of a response, byte by byte, and through a reused read buffer as the transport's
 * `onread` sockets give it), chunked bodies with extensions and trailers, interim 1xx responses, bodyless statuses,
 * bodies read until close, keep-alive decisions and every malformed case.
 */
import { Http1ParseError, Http1ResponseParser, MAX_HEAD_BYTES } from '../src/kinesis/http1-response-parser';

interface Parsed {
  complete: boolean;
  statusCode: number;
  reason: string;
  headers: Record<string, string | undefined>;
  body: string;
  keepAlive: boolean;
  extraBytes: boolean;
}

/** A read buffer reused for every piece (as a socket's `onread` buffer), scribbled over after each read. */
const readBuffer = Buffer.alloc(MAX_HEAD_BYTES * 2);

/** Feeds `pieces` in order (through the reused read buffer when `shared`); stops at the first complete answer. */
function parse(pieces: Buffer[], shared = false, parser = new Http1ResponseParser()): Parsed {
  parser.reset();
  let complete = false;
  let body = '';
  for (const piece of pieces) {
    if (shared) {
      readBuffer.fill(0x2a);
      piece.copy(readBuffer);
      complete = parser.feed(readBuffer, piece.length, true);
    } else {
      complete = parser.feed(piece, piece.length, false);
    }
    if (complete) {
      body = parser.bodyText(); // before the next read, as the transport does
      break;
    }
    if (shared) readBuffer.fill(0x23); // what the parser kept must not be a view of the buffer
  }
  return {
    complete,
    statusCode: parser.statusCode,
    reason: parser.reason,
    headers: { ...parser.headers },
    body,
    keepAlive: parser.keepAlive,
    extraBytes: parser.extraBytes,
  };
}

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** The response in two pieces at every position, and byte by byte (each plain and through a shared buffer). */
function everySplit(response: Buffer): Array<{ name: string; pieces: Buffer[] }> {
  const splits: Array<{ name: string; pieces: Buffer[] }> = [];
  for (let at = 1; at < response.length; at++) splits.push({ name: `split at ${at}`, pieces: [response.subarray(0, at), response.subarray(at)] });
  splits.push({ name: 'byte by byte', pieces: [...response].map((b) => Buffer.from([b])) });
  return splits;
}

function expectSameAtEverySplit(response: Buffer, expected: Parsed): void {
  expect(parse([response])).toEqual(expected);
  for (const shared of [false, true]) {
    for (const { name, pieces } of everySplit(response)) {
      const parsed = parse(pieces, shared);
      if (JSON.stringify(parsed) !== JSON.stringify(expected)) {
        throw new Error(`${name}${shared ? ' (shared read buffer)' : ''}: ${JSON.stringify(parsed)} != ${JSON.stringify(expected)}`);
      }
    }
  }
}

function parseError(text: string | Buffer): Http1ParseError {
  try {
    const parser = new Http1ResponseParser();
    const chunk = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    parser.feed(chunk, chunk.length, false);
  } catch (error) {
    expect(error).toBeInstanceOf(Http1ParseError);
    expect((error as Error).message).toContain('malformed HTTP response');
    return error as Http1ParseError;
  }
  throw new Error(`no error for ${JSON.stringify(String(text).slice(0, 80))}`);
}

const BODY = '{"Records":[{"Data":"aGVsbG8="}],"note":"é – 😀","MillisBehindLatest":0}';

describe('Http1ResponseParser', () => {
  it('reads a content-length response the same way whatever the chunk boundaries', () => {
    const response = bytes(
      'HTTP/1.1 200 OK\r\n' +
        'Content-Type: application/x-amz-json-1.1\r\n' +
        'x-amzn-RequestId: req-1\r\n' +
        'Set-Cookie: a=1\r\n' +
        'X-Custom:   padded value \t\r\n' +
        'set-cookie: b=2\r\n' +
        `Content-Length: ${Buffer.byteLength(BODY)}\r\n` +
        '\r\n' +
        BODY,
    );
    expectSameAtEverySplit(response, {
      complete: true,
      statusCode: 200,
      reason: 'OK',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': 'req-1',
        'set-cookie': 'a=1,b=2',
        'x-custom': 'padded value',
        'content-length': String(Buffer.byteLength(BODY)),
      },
      body: BODY,
      keepAlive: true,
      extraBytes: false,
    });
  });

  it('reads a chunked body with chunk extensions and a trailer section (ignored) at every split point', () => {
    const body = Buffer.from(BODY);
    // Chunks cut inside a multi-byte character on purpose.
    const cut1 = body.indexOf('é') + 1;
    const cut2 = body.indexOf('😀') + 2;
    const chunks = [body.subarray(0, cut1), body.subarray(cut1, cut2), body.subarray(cut2)];
    const response = Buffer.concat([
      bytes('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nx-amzn-requestid: req-2\r\n\r\n'),
      bytes(`${chunks[0]!.length.toString(16)};name=value;other\r\n`),
      chunks[0]!,
      bytes(`\r\n${chunks[1]!.length.toString(16).toUpperCase()} ; ext="quoted"\r\n`),
      chunks[1]!,
      bytes(`\r\n00${chunks[2]!.length.toString(16)}\r\n`),
      chunks[2]!,
      bytes('\r\n0;last\r\nx-trailer: one\r\nx-checksum: abc\r\n\r\n'),
    ]);
    expectSameAtEverySplit(response, {
      complete: true,
      statusCode: 200,
      reason: 'OK',
      headers: { 'transfer-encoding': 'chunked', 'x-amzn-requestid': 'req-2' },
      body: BODY,
      keepAlive: true,
      extraBytes: false,
    });
  });

  it('reads a chunked body without trailers, and a transfer-encoding whose last coding is chunked', () => {
    const response = bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
    expect(parse([response])).toMatchObject({ complete: true, body: '{}', keepAlive: true, extraBytes: false });
  });

  it('skips 1xx interim responses, whatever the boundaries', () => {
    const response = bytes(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n' +
        'HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}',
    );
    expectSameAtEverySplit(response, {
      complete: true,
      statusCode: 201,
      reason: 'Created',
      headers: { 'content-length': '2' },
      body: '{}',
      keepAlive: true,
      extraBytes: false,
    });
    const parser = new Http1ResponseParser();
    const interim = bytes('HTTP/1.1 100 Continue\r\n\r\n');
    expect(parser.feed(interim, interim.length, false)).toBe(false);
    expect(parser.headersComplete).toBe(false); // the request timeout still runs
  });

  it('ends 204 and 304 answers at their head (no body), keeping the connection', () => {
    expect(parse([bytes('HTTP/1.1 204 No Content\r\nx-a: 1\r\n\r\n')])).toEqual({
      complete: true,
      statusCode: 204,
      reason: 'No Content',
      headers: { 'x-a': '1' },
      body: '',
      keepAlive: true,
      extraBytes: false,
    });
    expect(parse([bytes('HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\n')])).toMatchObject({ complete: true, body: '', keepAlive: true });
    expect(parse([bytes('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')])).toMatchObject({ complete: true, body: '', keepAlive: true });
  });

  it('reads a body without length until the server closes, and never keeps that connection', () => {
    for (const head of ['HTTP/1.1 200 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n']) {
      for (const shared of [false, true]) {
        const parser = new Http1ResponseParser();
        const parsed = parse([bytes(head), bytes('{"a":'), bytes('1}')], shared, parser);
        expect(parsed.complete).toBe(false);
        expect(parser.readsUntilClose).toBe(true);
        expect(parser.finishAtClose()).toBe(true);
        expect(parser.bodyText()).toBe('{"a":1}');
        expect(parser.keepAlive).toBe(false);
      }
    }
  });

  it('does not take a close in the middle of a sized or chunked body for its end', () => {
    for (const text of [
      'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{}',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n',
      'HTTP/1.1 200 O',
    ]) {
      const parser = new Http1ResponseParser();
      const chunk = bytes(text);
      expect(parser.feed(chunk, chunk.length, false)).toBe(false);
      expect(parser.finishAtClose()).toBe(false);
    }
  });

  it('decides keep-alive from the version and the connection header', () => {
    const answer = (head: string): Parsed => parse([bytes(`${head}\r\ncontent-length: 2\r\n\r\n{}`)]);
    expect(answer('HTTP/1.1 200 OK').keepAlive).toBe(true);
    expect(answer('HTTP/1.1 200 OK\r\nConnection: close').keepAlive).toBe(false);
    expect(answer('HTTP/1.1 200 OK\r\nconnection: keep-alive, Close').keepAlive).toBe(false);
    expect(answer('HTTP/1.1 200 OK\r\nconnection: closed').keepAlive).toBe(true);
    expect(answer('HTTP/1.0 200 OK').keepAlive).toBe(false);
    expect(answer('HTTP/1.0 200 OK\r\nConnection: Keep-Alive').keepAlive).toBe(true);
  });

  it('joins repeated headers with commas and unfolds folded lines; a status line may have no reason', () => {
    const parsed = parse([bytes('HTTP/1.1 200\r\nx-list: a\r\nX-List: b\r\nx-folded: first\r\n  second\r\ncontent-length: 0\r\n\r\n')]);
    expect(parsed).toMatchObject({ statusCode: 200, reason: '', headers: { 'x-list': 'a,b', 'x-folded': 'first second' } });
  });

  it('flags bytes after the end of the answer (the connection must not be reused)', () => {
    expect(parse([bytes('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n')])).toMatchObject({
      complete: true,
      body: '{}',
      extraBytes: true,
    });
    expect(parse([bytes('HTTP/1.1 204 No Content\r\n\r\nx')])).toMatchObject({ complete: true, extraBytes: true });
  });

  it('is reset for the next answer on the same connection', () => {
    const parser = new Http1ResponseParser();
    expect(parse([bytes('HTTP/1.1 200 OK\r\nx-first: 1\r\ncontent-length: 5\r\n\r\nfirst')], true, parser)).toMatchObject({ body: 'first' });
    expect(parse([bytes('HTTP/1.1 404 Not Found\r\ncontent-length: 6\r\n\r\nsecond')], true, parser)).toEqual({
      complete: true,
      statusCode: 404,
      reason: 'Not Found',
      headers: { 'content-length': '6' },
      body: 'second',
      keepAlive: true,
      extraBytes: false,
    });
  });

  it('rejects a bad status line', () => {
    for (const line of [
      'HTTP/2.0 200 OK',
      'HTTP/1.2 200 OK',
      'HTTP/1.1 20 OK',
      'HTTP/1.1 2000 OK',
      'HTTP/1.1 200OK',
      'HTTP/1.1 099 Low',
      'HTTP/1.1 2x0 OK',
      'ICY 200 OK',
      'http/1.1 200 OK',
      '',
    ]) {
      expect(parseError(`${line}\r\ncontent-length: 0\r\n\r\n`)).toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
    }
    expect(parseError('HTTP/1.1 200 OK\ncontent-length: 0\r\n\r\n').code).toBe('HPE_INVALID_CONSTANT');
  });

  it('rejects bad header lines', () => {
    for (const lines of ['no colon here', 'bad name: x', ': empty name', ' folded: first', 'x-a: 1\nx-b: 2', 'x-a: 1\rx-b: 2']) {
      expect(parseError(`HTTP/1.1 200 OK\r\n${lines}\r\n\r\n`)).toMatchObject({ code: 'HPE_INVALID_HEADER_TOKEN' });
    }
  });

  it('rejects a bad or conflicting content-length', () => {
    for (const value of ['abc', '-1', '1.5', '', '0x10', '1 2', '9999999999999999']) {
      expect(parseError(`HTTP/1.1 200 OK\r\ncontent-length: ${value}\r\n\r\n`)).toMatchObject({ code: 'HPE_INVALID_CONTENT_LENGTH' });
    }
    expect(parseError('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}')).toMatchObject({
      code: 'HPE_UNEXPECTED_CONTENT_LENGTH',
    });
    expect(parse([bytes('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 2\r\n\r\n{}')])).toMatchObject({ complete: true, body: '{}' });
  });

  it('rejects a bad chunk size or chunk end', () => {
    const chunked = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n';
    for (const rest of ['zz\r\n', '\r\n', ';ext\r\n', '-1\r\n', '2x\r\n', '2\n', `1${'0'.repeat(13)}\r\n`, '2;ext\nab']) {
      expect(parseError(`${chunked}${rest}`)).toMatchObject({ code: 'HPE_INVALID_CHUNK_SIZE' });
    }
    for (const rest of ['2\r\n{}xx', '2\r\n{}\rx', '0\r\nx-t: 1\rx']) expect(parseError(`${chunked}${rest}`)).toMatchObject({ code: 'HPE_STRICT' });
  });

  it('rejects a head or a trailer section over 64 KiB, in one chunk or in many', () => {
    const big = `x-big: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n`;
    expect(parseError(`HTTP/1.1 200 OK\r\n${big}\r\n`)).toMatchObject({ code: 'HPE_HEADER_OVERFLOW' });
    // No terminator yet: refused as soon as the pieces kept exceed the limit.
    const parser = new Http1ResponseParser();
    const piece = bytes(`x-some: ${'b'.repeat(1000)}\r\n`);
    const head = bytes('HTTP/1.1 200 OK\r\n');
    parser.feed(head, head.length, false);
    const feedMany = (): void => {
      for (let i = 0; i < 100; i++) parser.feed(piece, piece.length, true);
    };
    expect(feedMany).toThrow(Http1ParseError);
    expect(parseError(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n${big}\r\n`)).toMatchObject({ code: 'HPE_HEADER_OVERFLOW' });
  });

  it('rejects a 101 Switching Protocols (never asked for)', () => {
    expect(parseError('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n')).toMatchObject({ code: 'HPE_UNEXPECTED_UPGRADE' });
  });
});
