import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openConfiguredStore, restoreStore } from './backup-core';

// npm run restore -- --from <dir>: into an empty store (COUCHDB_URL, or the embedded store in
// DATA_DIR with the server stopped). The server restores design documents and access lists again
// at its next start. docs/deploy.md.

const { values } = parseArgs({ options: { from: { type: 'string' } } });
if (!values.from) {
	console.error('Cách dùng: npm run restore -- --from <thư mục sao lưu>');
	process.exit(2);
}
const from = resolve(values.from);
const store = await openConfiguredStore();
try {
	const result = await restoreStore({ couch: store.couch, prefix: store.prefix, from });
	console.log(`Đã khôi phục ${result.databases} cơ sở dữ liệu, ${result.docs} tài liệu từ ${from}`);
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
} finally {
	await store.close();
}
