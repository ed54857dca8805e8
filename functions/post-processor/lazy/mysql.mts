// Bundled on its own (template.yaml: an EntryPoint of the post-processor, External in its handler) and
// imported when a hook first connects to MySQL or MariaDB: mysql2 is parsed then, not at cold start.
export { connectMysql } from '#shared/database/mysql';
