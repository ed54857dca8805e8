// Bundled on its own (template.yaml: an EntryPoint of the post-processor, External in its handler) and
// imported when a mask hook first runs: masking and discovery are parsed then, not at cold start.
export * from '#shared/masking/engine';
