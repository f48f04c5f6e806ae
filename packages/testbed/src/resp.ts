import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** Where a raw admin command goes. */
export interface RespTarget {
  host: string;
  port: number;
  password?: string | undefined;
  /** CA PEM: connect with TLS and verify the server against it. */
  tlsCa?: string | undefined;
}

/** An error reply (`-ERR ...`) from the server. */
export class RespErrorReply extends Error {
  override readonly name = 'RespErrorReply';
}

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** Parses one reply at `offset`; returns undefined if the buffer does not hold all of it yet. */
function parseReply(buffer: Buffer, offset: number): { value: string | RespErrorReply | null; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset] as number);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  switch (type) {
    case '+':
    case ':':
      return { value: line, end: lineEnd + 2 };
    case '-':
      return { value: new RespErrorReply(line), end: lineEnd + 2 };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: lineEnd + 2 };
      const start = lineEnd + 2;
      if (buffer.length < start + length + 2) return undefined;
      return { value: buffer.toString('utf8', start, start + length), end: start + length + 2 };
    }
    default:
      throw new Error(`unsupported RESP reply type ${JSON.stringify(type)}`);
  }
}

/**
 * Sends one command over a fresh connection (after AUTH if a password is given) and returns its reply as a string.
 * A tiny RESP client for start-up checks and cluster set-up only: simple, integer and bulk replies; no arrays.
 * Rejects with RespErrorReply on an error reply, or with the socket error.
 * @defaultValue timeoutMs 2000
 */
export async function respCommand(target: RespTarget, args: readonly string[], timeoutMs = 2000): Promise<string | null> {
  const commands = target.password !== undefined ? [['AUTH', target.password], args] : [args];
  return new Promise((resolve, reject) => {
    const socket: Socket =
      target.tlsCa !== undefined
        ? tlsConnect({ host: target.host, port: target.port, ca: target.tlsCa })
        : createConnection({ host: target.host, port: target.port });
    const replies: (string | RespErrorReply | null)[] = [];
    let buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | undefined, value?: string | null): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? null);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no reply from ${target.host}:${target.port} within ${timeoutMs} ms`)));
    socket.once(target.tlsCa !== undefined ? 'secureConnect' : 'connect', () => {
      socket.write(commands.map(encode).join(''));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        let parsed = parseReply(buffer, 0);
        while (parsed) {
          replies.push(parsed.value);
          buffer = buffer.subarray(parsed.end);
          parsed = buffer.length > 0 ? parseReply(buffer, 0) : undefined;
        }
      } catch (error) {
        finish(error as Error);
        return;
      }
      const firstError = replies.find((reply): reply is RespErrorReply => reply instanceof RespErrorReply);
      if (firstError) finish(firstError);
      else if (replies.length === commands.length) finish(undefined, replies[replies.length - 1] as string | null);
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error(`connection to ${target.host}:${target.port} closed before the reply`)));
  });
}
