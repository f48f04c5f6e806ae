import { isIP } from 'node:net';
import { ConfigError } from '@kcl/core';
import { redactAddress } from './redactor';

/** Default Redis port, used when a URL has none. */
export const DEFAULT_REDIS_PORT = 6379;

/** An `address` option taken apart. Only what the address itself says; options are applied later. */
export interface ParsedAddress {
  /** Host name or IP (IPv6 without brackets). */
  host: string;
  port: number;
  /** True for `rediss://`. */
  tls: boolean;
  /** From a URL's user info. */
  username?: string | undefined;
  /** From a URL's user info (percent-decoded). */
  password?: string | undefined;
  /** From a URL's path (`/3`). */
  db?: number | undefined;
}

const ALLOWED = 'host:port (e.g. "127.0.0.1:6379", "[::1]:6379") or a URL redis://[[user]:password@]host[:port][/db] or rediss://... (TLS)';

/** `host:port` for messages and logs, with IPv6 hosts in brackets. Never contains credentials. */
export function displayHostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/**
 * Parses go-kcl's `address` forms. Throws {@link ConfigError} for `address` (with any password replaced by `***`)
 * when the value is not one of them.
 */
export function parseAddress(address: unknown): ParsedAddress {
  if (typeof address !== 'string' || address.trim().length === 0) {
    throw new ConfigError('address', address, ALLOWED);
  }
  const fail = (why: string): never => {
    throw new ConfigError('address', redactAddress(address), ALLOWED, why);
  };
  if (address !== address.trim()) fail('Remove the surrounding whitespace.');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address)?.[1]?.toLowerCase();
  if (scheme !== undefined) return parseUrl(address, scheme, fail);
  if (/^rediss?:(?!\/\/)/i.test(address) && !/^rediss?:\d+$/i.test(address)) {
    fail('A URL needs "redis://" or "rediss://" before the host.');
  }
  return parseHostPort(address, fail);
}

function parseHostPort(address: string, fail: (why: string) => never): ParsedAddress {
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(address);
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2] as string;
    if (isIP(host) !== 6) fail(`"${host}" in brackets is not an IPv6 address.`);
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) fail('The port is missing (go-kcl needs host:port).');
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
    if (host.includes(':')) fail('Put an IPv6 host in brackets, e.g. "[::1]:6379".');
  }
  if (host.length === 0) fail('The host is missing.');
  if (isIP(host) === 0 && !isHostName(host)) fail(`"${host}" is not a valid host name.`);
  return { host, port: parsePort(portText, fail), tls: false };
}

function parseUrl(address: string, scheme: string, fail: (why: string) => never): ParsedAddress {
  if (scheme !== 'redis' && scheme !== 'rediss') fail(`The scheme "${scheme}://" is not supported.`);
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return fail('It is not a valid URL (check the host, the port and percent-encode special characters).');
  }
  const rawHost = url.hostname;
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost;
  if (host.length === 0) fail('The host is missing.');
  if (url.search.length > 0 || address.includes('?')) fail('Query parameters are not supported; use the options instead.');
  if (url.hash.length > 0 || address.includes('#')) fail('A "#" fragment is not allowed (percent-encode "#" in a password as %23).');
  const port = url.port.length === 0 ? DEFAULT_REDIS_PORT : parsePort(url.port, fail);
  let db: number | undefined;
  const path = url.pathname;
  if (path.length > 0 && path !== '/') {
    const match = /^\/(\d{1,2})\/?$/.exec(path);
    if (!match) fail(`The path "${path}" is not a database number (use "/0" to "/15").`);
    db = Number(match[1]);
  }
  const decode = (part: string, what: string): string | undefined => {
    if (part.length === 0) return undefined;
    try {
      return decodeURIComponent(part);
    } catch {
      return fail(`The ${what} in the URL is not validly percent-encoded.`);
    }
  };
  return {
    host,
    port,
    tls: scheme === 'rediss',
    username: decode(url.username, 'user name'),
    password: decode(url.password, 'password'),
    db,
  };
}

function parsePort(text: string, fail: (why: string) => never): number {
  if (!/^\d{1,5}$/.test(text)) fail(`The port "${text}" is not a number.`);
  const port = Number(text);
  if (port < 1 || port > 65535) fail(`The port ${port} is outside 1-65535.`);
  return port;
}

function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  return host
    .split('.')
    .every((label, i, all) => (label.length === 0 ? i === all.length - 1 && i > 0 : /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label)));
}
