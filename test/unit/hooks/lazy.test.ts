// The post-processor's hooks and secrets loaded on first use (shared/hooks/lazy.ts, shared/secrets/lazy.ts):
// what the runner reads before running is there at once, nothing is loaded until needed, a load happens once,
// and a failed load is not kept, so the next run tries again.
import { describe, expect, it } from 'vitest';
import type { Hook } from '#shared/hooks/contract';
import { lazyHook } from '#shared/hooks/lazy';
import { LazySecrets } from '#shared/secrets/lazy';
import { hookContext, secretsOf } from '../../support/hooks.ts';

const loadedHook = (changed: string): Hook => ({ name: 'loaded', run: async () => ({ changed }) });

describe('lazyHook', () => {
  it('carries the shape the runner plans with, without loading anything', () => {
    let loads = 0;
    const hook = lazyHook(
      { name: 'invoke-team', onFailure: 'continue', timeoutSeconds: 30, rerunnable: false, always: true },
      async () => {
        loads += 1;
        return loadedHook('x');
      },
    );
    expect(hook).toMatchObject({
      name: 'invoke-team',
      onFailure: 'continue',
      timeoutSeconds: 30,
      rerunnable: false,
      always: true,
    });
    expect(loads).toBe(0);
  });

  it('loads on the first run only, and runs what it loaded', async () => {
    let loads = 0;
    const hook = lazyHook({ name: 'invoke-team' }, async () => {
      loads += 1;
      return loadedHook(`load ${loads}`);
    });
    expect(await hook.run(hookContext())).toEqual({ changed: 'load 1' });
    expect(await hook.run(hookContext())).toEqual({ changed: 'load 1' });
    expect(loads).toBe(1);
  });

  it('fails the run a load fails, and loads again on the next one', async () => {
    let loads = 0;
    const hook = lazyHook({ name: 'invoke-team' }, async () => {
      loads += 1;
      if (loads === 1) throw new Error('bundle missing');
      return loadedHook('second try');
    });
    await expect(hook.run(hookContext())).rejects.toThrow('bundle missing');
    expect(await hook.run(hookContext())).toEqual({ changed: 'second try' });
  });
});

describe('LazySecrets', () => {
  const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:salt-AbCdEf';

  it('loads on the first read only, and reads through what it loaded', async () => {
    let loads = 0;
    const secrets = new LazySecrets(async () => {
      loads += 1;
      return secretsOf({ [ARN]: 'pepper' });
    });
    expect(loads).toBe(0);
    expect(await secrets.getSecretString(ARN)).toBe('pepper');
    expect(await secrets.getSecretString(ARN)).toBe('pepper');
    expect(loads).toBe(1);
  });

  it('fails the read a load fails, and loads again on the next one', async () => {
    let loads = 0;
    const secrets = new LazySecrets(async () => {
      loads += 1;
      if (loads === 1) throw new Error('bundle missing');
      return secretsOf({ [ARN]: 'pepper' });
    });
    await expect(secrets.getSecretString(ARN)).rejects.toThrow('bundle missing');
    expect(await secrets.getSecretString(ARN)).toBe('pepper');
  });
});
