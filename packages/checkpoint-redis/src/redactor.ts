/** What replaces a secret in messages and log fields. */
export const REDACTED = '***';

/**
 * Removes secrets (passwords) from text before it reaches an error message or a log line. Messages written by this
 * package never include a password; the redactor is the safety net for text that comes from elsewhere (a node-redis
 * error, an address the user typed with a password in it).
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: ReadonlyArray<string | undefined>) {
    // Longest first, so a secret that contains another one is removed whole.
    this.secrets = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))].sort((a, b) => b.length - a.length);
  }

  /** `text` with every known secret, and the password part of any `redis[s]://user:password@` URL, replaced. */
  redact(text: string): string {
    let out = redactUrlPasswords(text);
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    // A percent-encoded secret inside a URL was decoded before it reached the list; catch the encoded form too.
    for (const secret of this.secrets) {
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.split(encoded).join(REDACTED);
    }
    return out;
  }
}

/** Replaces the password of every `scheme://user:password@` in `text` with {@link REDACTED}. */
export function redactUrlPasswords(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^\s/]*@/gi, `$1${REDACTED}@`);
}

/**
 * An address as it may be shown: for a URL, everything between `user:` and the LAST `@` (the password, even when it
 * contains `@` or `/` and the URL does not parse) is replaced by {@link REDACTED}.
 */
export function redactAddress(address: string): string {
  const schemeEnd = address.indexOf('://');
  const at = address.lastIndexOf('@');
  if (schemeEnd < 0 || at < schemeEnd) return address;
  const userinfo = address.slice(schemeEnd + 3, at);
  const colon = userinfo.indexOf(':');
  const user = colon < 0 ? '' : userinfo.slice(0, colon);
  return `${address.slice(0, schemeEnd + 3)}${user}:${REDACTED}${address.slice(at)}`;
}
