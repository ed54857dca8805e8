// `npm run build`: the same bundles `sam build` makes (esbuild, ESM, minified, Node 22), without the SAM CLI.
// Output: dist/<function>/handler.mjs, the layout the template's Handler (handler.handler) expects.
import { build } from 'esbuild';
import { writeConfigsModule } from './hooks/configs/bundle.mjs';
import { writeSqlModule } from './hooks/sql/bundle.mjs';

export const FUNCTIONS = ['task-starter', 'post-processor'];

// The sql hook scripts and the hooks configurations become TypeScript modules (committed, so `sam build`
// bundles the same ones).
writeSqlModule();
writeConfigsModule();

for (const name of FUNCTIONS) {
  await build({
    entryPoints: [`functions/${name}/handler.ts`],
    outfile: `dist/${name}/handler.mjs`,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    // Some SDK dependencies are CommonJS and call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
console.log(`built ${FUNCTIONS.map((name) => `dist/${name}/handler.mjs`).join(', ')}`);
