import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backupStore, openConfiguredStore } from './backup-core';

// npm run backup -- --out <dir>: every database the server owns, from the store it is configured
// for (COUCHDB_URL, or the embedded store in DATA_DIR with the server stopped). docs/deploy.md.

const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) {
	console.error('Cách dùng: npm run backup -- --out <thư mục>');
	process.exit(2);
}
const out = resolve(values.out);
const store = await openConfiguredStore();
try {
	const manifest = await backupStore({ couch: store.couch, prefix: store.prefix, out });
	const docs = manifest.databases.reduce((sum, entry) => sum + entry.docs, 0);
	console.log(`Đã sao lưu ${manifest.databases.length} cơ sở dữ liệu, ${docs} tài liệu vào ${out}`);
} finally {
	await store.close();
}
