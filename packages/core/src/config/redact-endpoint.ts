/** What replaces a secret of an endpoint in messages. */
export const REDACTED_ENDPOINT_PART = '***';

/**
 * An endpoint (or anything the user gave as one) as it may be shown in an error message or a log line: user info
 * (`user:password@`) and query string or fragment may carry secrets (a password, a pre-signed token), so they are
 * replaced by `***`; the user name is kept. Works on text that does not parse as a URL too: everything before the
 * LAST `@` of the authority is treated as user info (a password may contain `@`, `/`, `?` or `#`), and everything
 * from the first `?` or `#` after it as query/fragment. Text without either is returned unchanged.
 *
 * `redactEndpoint('https://admin:s3cret@kinesis.example.com/?X-Amz-Security-Token=t')` is
 * `'https://admin:***@kinesis.example.com/?***'`.
 */
export function redactEndpoint(text: string): string {
  const schemeEnd = text.indexOf('://');
  const authorityStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
  let prefix = text.slice(0, authorityStart);
  let rest = text.slice(authorityStart);
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    prefix += colon < 0 ? `${REDACTED_ENDPOINT_PART}@` : `${userinfo.slice(0, colon)}:${REDACTED_ENDPOINT_PART}@`;
    rest = rest.slice(at + 1);
  }
  const query = rest.search(/[?#]/);
  if (query >= 0) rest = `${rest.slice(0, query + 1)}${REDACTED_ENDPOINT_PART}`;
  return prefix + rest;
}
