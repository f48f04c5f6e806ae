import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Collects the `#name` and `:value` placeholders of one DynamoDB request so that every attribute name goes through
 * ExpressionAttributeNames (no reserved-word surprises) and no placeholder is left unused (DynamoDB rejects those).
 */
export class ExpressionBuilder {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, AttributeValue> = {};
  private valueCount = 0;

  /** Placeholder for attribute `name`. */
  name(name: string): string {
    const placeholder = `#${name}`;
    this.names[placeholder] = name;
    return placeholder;
  }

  /** Placeholder for a string value. */
  string(value: string): string {
    return this.value({ S: value });
  }

  /** Placeholder for a number value. */
  number(value: number): string {
    return this.value({ N: String(value) });
  }

  /** Placeholder for any attribute value. */
  value(value: AttributeValue): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** The maps to pass with the request (`ExpressionAttributeValues` omitted when no value was used). */
  attributes(): {
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  } {
    return this.valueCount === 0
      ? { ExpressionAttributeNames: { ...this.names } }
      : { ExpressionAttributeNames: { ...this.names }, ExpressionAttributeValues: { ...this.values } };
  }
}
