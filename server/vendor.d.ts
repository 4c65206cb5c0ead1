// express-pouchdb ships no types; this is the part of its API the embedded store uses.
declare module 'express-pouchdb' {
	import type { Express } from 'express';

	interface ExpressPouchdbOptions {
		mode?: 'fullCouchDB' | 'minimumForPouchDB' | 'custom';
		configPath?: string | undefined;
		logPath?: string;
		inMemoryConfig?: boolean;
		overrideMode?: { include?: string[]; exclude?: string[] };
	}

	interface ExpressPouchdbApp extends Express {
		/** Wrappers installed on every database object the store opens, in registration order. */
		dbWrapper: {
			registerWrapper(
				wrapper: (name: string, db: PouchDB.Database, next: () => void) => void
			): void;
		};
	}

	function expressPouchdb(
		PouchDB: PouchDB.Static,
		options?: ExpressPouchdbOptions
	): ExpressPouchdbApp;
	export default expressPouchdb;
}
