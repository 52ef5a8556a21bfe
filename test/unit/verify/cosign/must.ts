import assert from 'node:assert/strict';

/** The value, asserted present: tests index into fixtures whose shape they know. */
export function must<T>(value: T | undefined | null, what = 'value'): T {
  assert.ok(value !== undefined && value !== null, `${what} is missing`);
  return value;
}
