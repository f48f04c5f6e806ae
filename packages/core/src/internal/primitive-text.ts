/**
 * The text of a value for an error message: `String(value)` for primitives, `'null'`, `'a function'`, `'an object'`
 * otherwise (never `[object Object]`, never an object's own `toString`, which could throw or leak a secret).
 * @internal
 */
export function primitiveText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return 'a function';
    default:
      return value === null ? 'null' : 'an object';
  }
}
