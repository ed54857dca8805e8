// Bundled on its own (template.yaml: an EntryPoint of the post-processor, External in its handler) and
// imported when a hook first connects to PostgreSQL: pg is parsed then, not at cold start.
export { connectPostgres } from '#shared/database/postgres';
