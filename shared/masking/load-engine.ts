// The mask hooks' engine loaded from source (the local run, the hooks command, tests). The post-processor
// loads its own bundled copy instead (functions/post-processor/lazy/mask.mts): it never imports this file.
import type { MaskEngine } from '../hooks/kinds/mask.ts';

export const loadMaskEngine = (): Promise<MaskEngine> => import('./engine.ts');
