/**
 * The head of an HTTP/1.1 response (status line and header lines), for the incremental response parser
 * (http1-response-parser.ts), which finds where a head ends and hands it over as one latin1 string.
 *
 * - Status line `HTTP/1.0` or `HTTP/1.1`, a three-digit code, an optional reason phrase.
 * - Header names lower-cased (names Kinesis and Node send are matched in place and given as constant strings, without
 *   a slice or a lower-cased copy); a repeated header's values joined with `,` (as the SDK's handler joins Node's
 *   arrays); values trimmed; obsolete line folding unfolded with a space.
 * - What the body and the connection depend on: `content-length` (digits only; repeated values must agree),
 *   `transfer-encoding` (chunked when its last coding is), the `close` / `keep-alive` tokens of `connection`.
 * - Malformed input throws an {@link Http1ParseError} whose `code` is the one `node:http`'s parser (llhttp) gives the
 *   same case.
 * @internal
 */

const CR = 13;
const SP = 32;
const HT = 9;

/** Largest head (status line and header lines) and largest trailer section accepted: 64 KiB. */
export const MAX_HEAD_BYTES = 64 * 1024;

/** A response the parser cannot read; the connection it came on must be closed. */
export class Http1ParseError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(`@kcl/core lean GetRecords - malformed HTTP response: ${message}`);
  }
}

/** The header record of a response (lower-case names); a class rather than a literal (see lean-http-transport.ts). */
export class ResponseHeaders {
  [name: string]: string | undefined;
}

/** `tchar` of RFC 9110 (header names). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Header names Kinesis and Node servers send, matched in the head without slicing and lower-casing them: the record
 * then uses these (internalized) strings as keys. Indexed by length.
 */
const KNOWN_NAMES: (readonly string[] | undefined)[] = [];
for (const name of [
  'date',
  'server',
  'connection',
  'keep-alive',
  'content-type',
  'content-length',
  'transfer-encoding',
  'x-amzn-requestid',
  'x-amz-id-2',
  'x-amzn-errortype',
  'x-amz-request-id',
  'x-amzn-request-id',
  'x-amz-cf-id',
  'access-control-allow-origin',
]) {
  KNOWN_NAMES[name.length] = [...(KNOWN_NAMES[name.length] ?? []), name];
}

/** The known lower-case name equal, ignoring case, to `head` from `start` to `end`, if any. */
function knownName(head: string, start: number, end: number): string | undefined {
  const candidates = KNOWN_NAMES[end - start];
  if (candidates === undefined) return undefined;
  next: for (const name of candidates) {
    for (let i = 0; i < name.length; i++) {
      const c = head.charCodeAt(start + i);
      const expected = name.charCodeAt(i);
      if (c !== expected && !(c >= 65 && c <= 90 && c + 32 === expected)) continue next;
    }
    return name;
  }
  return undefined;
}

function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Whether the lower-case comma-separated `list` holds `token` (e.g. `close` in `keep-alive, close`). */
function hasToken(list: string, token: string): boolean {
  for (let at = list.indexOf(token); at >= 0; at = list.indexOf(token, at + 1)) {
    const before = at === 0 ? SP : list.charCodeAt(at - 1);
    const end = at + token.length;
    const after = end === list.length ? SP : list.charCodeAt(end);
    if ((before === SP || before === HT || before === 44) && (after === SP || after === HT || after === 44)) return true;
  }
  return false;
}

/** A parsed response head; one per connection, its fields replaced by each head (a new header record each time). */
export class ResponseHead {
  statusCode = 0;
  /** Reason phrase ('' when there is none). */
  reason = '';
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  httpMinor = 1;
  headers: ResponseHeaders = new ResponseHeaders();
  /** -1 when there is none. */
  contentLength = -1;
  transferEncoding = false;
  /** The last transfer coding is `chunked`. */
  chunked = false;
  /** `connection: close`. */
  close = false;
  /** `connection: keep-alive`. */
  keepAliveToken = false;

  /** The end (index of its CR) of the line starting at `from`; throws on a bare CR or LF. */
  private static lineEnd(head: string, from: number, what: string, code: string): number {
    const lf = head.indexOf('\n', from);
    const end = lf - 1;
    if (lf <= from || head.charCodeAt(end) !== CR || head.indexOf('\r', from) !== end) {
      throw new Http1ParseError(`bad ${what} ${JSON.stringify(head.slice(from, Math.max(lf, from)))}`, code);
    }
    return end;
  }

  /**
   * Parses a head (its lines, each ended by CRLF, without the empty line); an interim (1xx) head sets only the
   * status fields.
   * @throws Http1ParseError on a malformed head
   */
  parse(head: string): void {
    const statusEnd = ResponseHead.lineEnd(head, 0, 'status line', 'HPE_INVALID_CONSTANT');
    const code = this.parseStatusLine(head, statusEnd);
    if (code < 200) {
      if (code === 101) throw new Http1ParseError('101 Switching Protocols to a request that asked for no upgrade', 'HPE_UNEXPECTED_UPGRADE');
      return; // an interim response: the final one follows
    }
    const headers = new ResponseHeaders();
    let contentLength = -1;
    let transferEncoding = false;
    let chunked = false;
    let close = false;
    let keepAliveToken = false;
    let lastName: string | undefined;
    for (let pos = statusEnd + 2; pos < head.length;) {
      const end = ResponseHead.lineEnd(head, pos, 'header line', 'HPE_INVALID_HEADER_TOKEN');
      const first = head.charCodeAt(pos);
      let name: string;
      let value: string;
      if (first === SP || first === HT) {
        // Obsolete line folding: the line continues the previous header's value.
        if (lastName === undefined) throw new Http1ParseError('a folded header line with no header before it', 'HPE_INVALID_HEADER_TOKEN');
        name = lastName;
        value = trimmed(head, pos, end);
        headers[name] = `${headers[name] ?? ''} ${value}`;
      } else {
        const colon = head.indexOf(':', pos);
        if (colon < 0 || colon > end)
          throw new Http1ParseError(`bad header line ${JSON.stringify(head.slice(pos, end))}`, 'HPE_INVALID_HEADER_TOKEN');
        const known = knownName(head, pos, colon);
        if (known !== undefined) {
          name = known;
        } else {
          name = head.slice(pos, colon);
          if (!TOKEN.test(name)) throw new Http1ParseError(`bad header name ${JSON.stringify(name)}`, 'HPE_INVALID_HEADER_TOKEN');
          name = name.toLowerCase();
        }
        value = trimmed(head, colon + 1, end);
        const before = headers[name];
        headers[name] = before === undefined ? value : `${before},${value}`;
        lastName = name;
      }
      switch (name) {
        case 'content-length': {
          if (!isDigits(value)) throw new Http1ParseError(`bad content-length ${JSON.stringify(value)}`, 'HPE_INVALID_CONTENT_LENGTH');
          const length = Number(value);
          if (contentLength >= 0 && length !== contentLength) {
            throw new Http1ParseError(`conflicting content-length values ${contentLength} and ${length}`, 'HPE_UNEXPECTED_CONTENT_LENGTH');
          }
          contentLength = length;
          break;
        }
        case 'transfer-encoding': {
          // The last coding of the last transfer-encoding line decides.
          const codings = value.toLowerCase();
          transferEncoding = true;
          chunked = trimmed(codings, codings.lastIndexOf(',') + 1, codings.length) === 'chunked';
          break;
        }
        case 'connection': {
          const tokens = value.toLowerCase();
          close ||= hasToken(tokens, 'close');
          keepAliveToken ||= hasToken(tokens, 'keep-alive');
          break;
        }
      }
      pos = end + 2;
    }
    this.headers = headers;
    this.contentLength = contentLength;
    this.transferEncoding = transferEncoding;
    this.chunked = chunked;
    this.close = close;
    this.keepAliveToken = keepAliveToken;
  }

  /** Parses `HTTP/1.x <3 digits>[ <reason>]`; returns the code. */
  private parseStatusLine(head: string, end: number): number {
    const minor = head.charCodeAt(7) - 48;
    const d1 = head.charCodeAt(9) - 48;
    const d2 = head.charCodeAt(10) - 48;
    const d3 = head.charCodeAt(11) - 48;
    if (
      end < 12 ||
      !head.startsWith('HTTP/1.') ||
      (minor !== 0 && minor !== 1) ||
      head.charCodeAt(8) !== SP ||
      !(d1 >= 1 && d1 <= 9 && d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9) ||
      (end > 12 && head.charCodeAt(12) !== SP)
    ) {
      throw new Http1ParseError(`bad status line ${JSON.stringify(head.slice(0, end))}`, 'HPE_INVALID_CONSTANT');
    }
    const code = d1 * 100 + d2 * 10 + d3;
    this.httpMinor = minor;
    this.statusCode = code;
    this.reason = end === 15 && head.charCodeAt(13) === 79 && head.charCodeAt(14) === 75 ? 'OK' : end > 13 ? head.slice(13, end) : '';
    return code;
  }
}

/** `text` from `start` to `end` without the spaces and tabs around it. */
function trimmed(text: string, start: number, end: number): string {
  let from = start;
  let to = end;
  while (from < to && (text.charCodeAt(from) === SP || text.charCodeAt(from) === HT)) from++;
  while (to > from && (text.charCodeAt(to - 1) === SP || text.charCodeAt(to - 1) === HT)) to--;
  return text.slice(from, to);
}
