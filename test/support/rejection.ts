// The error a call rejects with, for tests that assert on its class, message and fields.
/** Resolves with the rejection reason; fails the test if the promise resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
