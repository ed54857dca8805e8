// Registers the aws-sdk-client-mock matchers (toHaveReceivedCommandWith …) for every test file, and tells
// TypeScript about them, so adapter tests assert on the commands an SDK client was sent.
import { allCustomMatcher, type BaseMatcher } from 'aws-sdk-client-mock-vitest';
import { expect } from 'vitest';

expect.extend(allCustomMatcher);

declare module 'vitest' {
  // The type parameter must match vitest's own declaration of Matchers exactly, default included.
  // biome-ignore lint/suspicious/noExplicitAny: declaration merging requires vitest's `T = any`.
  interface Matchers<T = any> extends BaseMatcher<T> {}
}
