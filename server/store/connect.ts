import type { Config } from '../config';
import { CouchClient, parseCouchUrl } from '../couch/couch-client';
import { startEmbeddedStore, type EmbeddedStore } from './embedded-store';

// The store the server works on: Apache CouchDB at COUCHDB_URL, or else the embedded store this
// process starts (docs/decisions/0012-embedded-store-and-couchdb.md).

export interface ConnectedStore {
	/** As the server admin. */
	couch: CouchClient;
	/** The embedded store this process started; undefined on Apache CouchDB. */
	embedded: EmbeddedStore | undefined;
}

export async function connectStore(config: Config): Promise<ConnectedStore> {
	if (config.couchdbUrl) {
		const couch = new CouchClient(
			parseCouchUrl({
				url: config.couchdbUrl,
				user: config.couchdbUser,
				password: config.couchdbPassword
			})
		);
		await waitForAdmin(couch);
		return { couch, embedded: undefined };
	}
	const embedded = await startEmbeddedStore({
		dataDir: config.dataDir,
		store: config.store,
		process: config.storeProcess
	});
	const couch = new CouchClient(
		parseCouchUrl({
			url: embedded.url,
			user: embedded.admin.user,
			password: embedded.admin.password
		})
	);
	return { couch, embedded };
}

/** Apache CouchDB may still be starting (containers start together): wait up to 30 s. */
async function waitForAdmin(couch: CouchClient): Promise<void> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			const session = await couch.json<{ userCtx?: { roles?: string[] } }>({ path: '_session' });
			if (session.userCtx?.roles?.includes('_admin')) return;
			throw new Error(
				'Tài khoản CouchDB trong COUCHDB_URL / COUCHDB_USER không phải quản trị viên máy chủ.'
			);
		} catch (error) {
			const unreachable = error instanceof TypeError;
			if (!unreachable || Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}
}
