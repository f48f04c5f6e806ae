/**
 * An incremental parser of HTTP/1.1 responses, for the keep-alive connections of the lean GetRecords transport
 * (lean-http1-pool.ts). One parser per connection, `reset()` before each response; `feed()` takes the socket's chunks
 * as they come, split anywhere (inside the status line, inside `\r\n\r\n`, inside a chunk-size line). A chunk may be
 * a read buffer the socket reuses (`shared`): what must outlive the call (a head or body part of an unfinished
 * response) is then copied before `feed()` returns.
 *
 * - The head (status line, headers) is read by {@link ResponseHead} (http1-response-head.ts) once it is complete.
 * - `1xx` interim responses (100 Continue, 103 Early Hints...) are skipped; the answer is the final response.
 * - Body: none for 204 and 304; `transfer-encoding` ending in `chunked` (chunk extensions and trailers read and
 *   ignored); else `content-length`; else (or another transfer coding) everything until the server closes, and then
 *   the connection is not reused ({@link Http1ResponseParser.finishAtClose}).
 * - Kept alive ({@link Http1ResponseParser.keepAlive}) unless `connection: close`, HTTP/1.0 without
 *   `connection: keep-alive`, or a body read until close.
 * - Malformed input throws an {@link Http1ParseError} (its `code` as `node:http`'s parser names the case): a bad status
 *   line or header line, a bad or conflicting `content-length`, a `101 Switching Protocols` (never asked for; see
 *   http1-response-head.ts), a bad chunk size or chunk end, a head or a trailer section over {@link MAX_HEAD_BYTES}.
 *
 * Allocation per response: the head as one latin1 string and its header names and values, the header record, and the
 * body decoded once at the end (the bytes concatenated only when the body came in several chunks).
 * @internal
 */

import { Http1ParseError, MAX_HEAD_BYTES, ResponseHead, ResponseHeaders } from './http1-response-head';

export { Http1ParseError, MAX_HEAD_BYTES, ResponseHeaders } from './http1-response-head';

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
const SEMICOLON = 59;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** Chunk sizes above this are refused (a chunk never gets near it; keeps the arithmetic exact). */
const MAX_CHUNK_SIZE = 2 ** 48;

// Parser states.
const HEAD = 0;
const BODY_LENGTH = 1;
const BODY_UNTIL_CLOSE = 2;
const CHUNK_SIZE_FIRST = 3;
const CHUNK_SIZE = 4;
const CHUNK_EXTENSION = 5;
const CHUNK_SIZE_LF = 6;
const CHUNK_DATA = 7;
const CHUNK_DATA_CR = 8;
const CHUNK_DATA_LF = 9;
const TRAILER_LINE_START = 10;
const TRAILER_LINE = 11;
const TRAILER_LINE_LF = 12;
const TRAILER_END_LF = 13;
const DONE = 14;

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The response reader of one connection (see the module comment). */
export class Http1ResponseParser {
  /** Status code of the final response (once {@link headersComplete}). */
  statusCode = 0;
  /** Reason phrase ('' when there is none). */
  reason = '';
  /** The header record of the final response (a new one per response). */
  headers: ResponseHeaders = new ResponseHeaders();
  /** The final response's head has been read (interim 1xx responses do not count). */
  headersComplete = false;
  /** The connection may carry another request once this response is complete. */
  keepAlive = false;
  /** Bytes followed the end of the response (a protocol error: the connection must not be reused). */
  extraBytes = false;

  private state = HEAD;
  private readonly head = new ResponseHead();
  /** Pieces of a head that spans chunks, and their total length. */
  private readonly headPieces: Buffer[] = [];
  private headBytes = 0;
  /** How many bytes of `\r\n\r\n` the last head piece ended with. */
  private matched = 0;
  /** Body bytes still expected (content-length), or the current chunk's size / remaining bytes. */
  private remaining = 0;
  private trailerBytes = 0;
  /** The first body piece (not copied: a view of it is decoded at the end), and the others when there are several. */
  private bodyChunk: Buffer | undefined = undefined;
  private bodyStart = 0;
  private bodyEnd = 0;
  private readonly bodyPieces: Buffer[] = [];
  private bodyLength = 0;

  /** Prepares for the next response on the connection. */
  reset(): void {
    this.statusCode = 0;
    this.reason = '';
    this.headersComplete = false;
    this.keepAlive = false;
    this.extraBytes = false;
    this.state = HEAD;
    this.headPieces.length = 0;
    this.headBytes = 0;
    this.matched = 0;
    this.remaining = 0;
    this.trailerBytes = 0;
    this.clearBody();
  }

  /** Whether the response's body lasts until the server closes the connection. */
  get readsUntilClose(): boolean {
    return this.state === BODY_UNTIL_CLOSE;
  }

  /**
   * Reads `chunk` up to `length`; true once the response is complete (bytes after its end set {@link extraBytes}).
   * @param shared - `chunk` is reused for the next read: whatever the parser keeps of it is copied (when the response
   *   is complete, its body is still read from `chunk`, so {@link bodyText} must be called before the next read)
   * @throws Http1ParseError on malformed input
   */
  feed(chunk: Buffer, length: number, shared: boolean): boolean {
    const complete = this.parse(chunk, length, shared);
    if (shared && !complete) this.ownBodyViewsOf(chunk);
    return complete;
  }

  private parse(chunk: Buffer, length: number, shared: boolean): boolean {
    let i = 0;
    while (i < length) {
      switch (this.state) {
        case HEAD: {
          const end = this.headEnd(chunk, i, length);
          if (end < 0) {
            this.keepHeadPiece(chunk, i, length, shared);
            return false;
          }
          this.readHead(chunk, i, end);
          i = end;
          break;
        }
        case BODY_LENGTH:
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, length - i);
          this.addBody(chunk, i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = this.state === BODY_LENGTH ? DONE : CHUNK_DATA_CR;
          break;
        }
        case BODY_UNTIL_CLOSE:
          this.addBody(chunk, i, length);
          i = length;
          break;
        case DONE:
          this.extraBytes = true;
          return true;
        default:
          i = this.chunkFraming(chunk, i, length);
      }
    }
    return this.state === DONE;
  }

  /** The server closed the connection: true when that ends the response (a body read until close). */
  finishAtClose(): boolean {
    if (this.state !== BODY_UNTIL_CLOSE) return false;
    this.state = DONE;
    return true;
  }

  /** The body as UTF-8 text (call once, when the response is complete). */
  bodyText(): string {
    const first = this.bodyChunk;
    const pieces = this.bodyPieces;
    const text =
      first === undefined
        ? ''
        : pieces.length === 0
          ? first.toString('utf8', this.bodyStart, this.bodyEnd)
          : Buffer.concat(pieces, this.bodyLength).toString('utf8');
    this.clearBody();
    return text;
  }

  private clearBody(): void {
    this.bodyChunk = undefined;
    this.bodyPieces.length = 0;
    this.bodyLength = 0;
  }

  private addBody(chunk: Buffer, start: number, end: number): void {
    if (end === start) return;
    if (this.bodyChunk === undefined) {
      this.bodyChunk = chunk;
      this.bodyStart = start;
      this.bodyEnd = end;
    } else {
      if (this.bodyPieces.length === 0) this.bodyPieces.push(this.bodyChunk.subarray(this.bodyStart, this.bodyEnd));
      this.bodyPieces.push(chunk.subarray(start, end));
    }
    this.bodyLength += end - start;
  }

  /** The index just past the `\r\n\r\n` that ends the head, searching `chunk` from `from`; -1 if it is not there. */
  private headEnd(chunk: Buffer, from: number, length: number): number {
    let i = from;
    // A terminator begun at the end of the previous piece: CR LF CR LF, so an even count expects a CR.
    while (this.matched > 0 && i < length) {
      if (chunk[i] !== (this.matched % 2 === 0 ? CR : LF)) {
        this.matched = 0; // the byte at i may start a terminator itself: searched below
        break;
      }
      i++;
      if (++this.matched === 4) {
        this.matched = 0;
        return i;
      }
    }
    if (this.matched > 0) return -1; // the chunk ended inside the terminator
    const at = chunk.indexOf(HEAD_END, i);
    if (at >= 0 && at + 4 <= length) return at + 4;
    // How much of a terminator the chunk ends with (the longest suffix that is a prefix of CR LF CR LF).
    const last = length - 1;
    if (last - i >= 2 && chunk[last] === CR && chunk[last - 1] === LF && chunk[last - 2] === CR) this.matched = 3;
    else if (last - i >= 1 && chunk[last] === LF && chunk[last - 1] === CR) this.matched = 2;
    else if (last >= i && chunk[last] === CR) this.matched = 1;
    return -1;
  }

  private keepHeadPiece(chunk: Buffer, from: number, to: number, shared: boolean): void {
    this.headBytes += to - from;
    if (this.headBytes > MAX_HEAD_BYTES) throw new Http1ParseError(`the response head exceeds ${MAX_HEAD_BYTES} bytes`, 'HPE_HEADER_OVERFLOW');
    this.headPieces.push(shared ? copyOf(chunk, from, to) : from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
  }

  /** Copies the body parts that are views of `chunk` (a read buffer about to be reused). */
  private ownBodyViewsOf(chunk: Buffer): void {
    const pieces = this.bodyPieces;
    if (pieces.length === 0) {
      if (this.bodyChunk === chunk) {
        this.bodyChunk = copyOf(chunk, this.bodyStart, this.bodyEnd);
        this.bodyEnd -= this.bodyStart;
        this.bodyStart = 0;
      }
      return;
    }
    for (let i = pieces.length - 1; i >= 0 && pieces[i]!.buffer === chunk.buffer; i--) pieces[i] = copyOf(pieces[i]!, 0, pieces[i]!.length);
  }

  /** Parses the head that ends (after its `\r\n\r\n`) at `end` of `chunk`, with the pieces kept before it. */
  private readHead(chunk: Buffer, start: number, end: number): void {
    const pieces = this.headPieces;
    const size = this.headBytes + end - start;
    if (size > MAX_HEAD_BYTES) throw new Http1ParseError(`the response head exceeds ${MAX_HEAD_BYTES} bytes`, 'HPE_HEADER_OVERFLOW');
    let head: string;
    if (pieces.length === 0) {
      head = chunk.toString('latin1', start, end - 2); // the last line keeps its CRLF, the empty line goes
    } else {
      pieces.push(chunk.subarray(start, end));
      head = Buffer.concat(pieces, size).toString('latin1', 0, size - 2);
      pieces.length = 0;
      this.headBytes = 0;
    }
    this.readFinalHead(head);
  }

  /** Takes a parsed head: an interim one is skipped, a final one sets the answer's fields and how its body ends. */
  private readFinalHead(text: string): void {
    const head = this.head;
    head.parse(text);
    const code = head.statusCode;
    if (code < 200) return; // an interim response: the final one follows (state stays HEAD)
    this.statusCode = code;
    this.reason = head.reason;
    this.headers = head.headers;
    this.headersComplete = true;
    if (code === 204 || code === 304) this.state = DONE;
    else if (head.transferEncoding) {
      this.state = head.chunked ? CHUNK_SIZE_FIRST : BODY_UNTIL_CLOSE;
      this.remaining = 0;
    } else if (head.contentLength > 0) {
      this.state = BODY_LENGTH;
      this.remaining = head.contentLength;
    } else this.state = head.contentLength === 0 ? DONE : BODY_UNTIL_CLOSE;
    this.keepAlive = this.state !== BODY_UNTIL_CLOSE && !head.close && (head.httpMinor === 1 || head.keepAliveToken);
  }

  /** Chunk-size lines, the CRLF after chunk data, and the trailer section: byte by byte, until data or the end. */
  private chunkFraming(chunk: Buffer, from: number, length: number): number {
    for (let i = from; i < length; i++) {
      const byte = chunk[i]!;
      switch (this.state) {
        case CHUNK_SIZE_FIRST:
        case CHUNK_SIZE: {
          const digit = hexValue(byte);
          if (digit >= 0) {
            if (this.remaining >= MAX_CHUNK_SIZE) throw new Http1ParseError('a chunk size too large', 'HPE_INVALID_CHUNK_SIZE');
            this.remaining = this.remaining * 16 + digit;
            this.state = CHUNK_SIZE;
          } else if (this.state === CHUNK_SIZE_FIRST) {
            throw new Http1ParseError(`bad chunk size (byte ${byte})`, 'HPE_INVALID_CHUNK_SIZE');
          } else if (byte === CR) {
            this.state = CHUNK_SIZE_LF;
          } else if (byte === SEMICOLON || byte === SP || byte === HT) {
            this.state = CHUNK_EXTENSION;
          } else {
            throw new Http1ParseError(`bad chunk size (byte ${byte})`, 'HPE_INVALID_CHUNK_SIZE');
          }
          break;
        }
        case CHUNK_EXTENSION:
          if (byte === CR) this.state = CHUNK_SIZE_LF;
          else if (byte === LF) throw new Http1ParseError('a bare LF in a chunk extension', 'HPE_INVALID_CHUNK_SIZE');
          break;
        case CHUNK_SIZE_LF:
          if (byte !== LF) throw new Http1ParseError('a chunk-size line not ended by CRLF', 'HPE_INVALID_CHUNK_SIZE');
          if (this.remaining > 0) {
            this.state = CHUNK_DATA;
            return i + 1;
          }
          this.state = TRAILER_LINE_START;
          break;
        case CHUNK_DATA_CR:
          if (byte !== CR) throw new Http1ParseError('chunk data not followed by CRLF', 'HPE_STRICT');
          this.state = CHUNK_DATA_LF;
          break;
        case CHUNK_DATA_LF:
          if (byte !== LF) throw new Http1ParseError('chunk data not followed by CRLF', 'HPE_STRICT');
          this.state = CHUNK_SIZE_FIRST;
          break;
        default:
          if (++this.trailerBytes > MAX_HEAD_BYTES) {
            throw new Http1ParseError(`the trailer section exceeds ${MAX_HEAD_BYTES} bytes`, 'HPE_HEADER_OVERFLOW');
          }
          if (this.trailer(byte)) return i + 1;
      }
    }
    return length;
  }

  /** One byte of the trailer section (ignored); true once it ended (the response is complete). */
  private trailer(byte: number): boolean {
    switch (this.state) {
      case TRAILER_LINE_START:
        this.state = byte === CR ? TRAILER_END_LF : TRAILER_LINE;
        return false;
      case TRAILER_LINE:
        if (byte === CR) this.state = TRAILER_LINE_LF;
        return false;
      case TRAILER_LINE_LF:
        if (byte !== LF) throw new Http1ParseError('a trailer line not ended by CRLF', 'HPE_STRICT');
        this.state = TRAILER_LINE_START;
        return false;
      default:
        // TRAILER_END_LF
        if (byte !== LF) throw new Http1ParseError('the trailer section not ended by CRLF', 'HPE_STRICT');
        this.state = DONE;
        return true;
    }
  }
}

/** A copy of `chunk` from `start` to `end`. */
function copyOf(chunk: Buffer, start: number, end: number): Buffer {
  const copy = Buffer.allocUnsafe(end - start);
  chunk.copy(copy, 0, start, end);
  return copy;
}
