import webpush from 'web-push';
import { CouchError, type CouchClient } from '../couch/couch-client';

// The server's VAPID key pair (RFC 8292; docs/decisions/0022-web-push.md): the push services know a
// sender by its public key, and a phone subscribes with that key, so the pair must outlive restarts
// and be the same for every server process. It is generated once, by whichever process needs it
// first, and kept in the accounts database, which only the server reads (never in git, never in the
// environment an operator copies around). Two processes generating at once: the document is created
// without a revision, so one wins (409 for the other, which reads the winner's).

const DOC_ID = 'push:vapid';

export interface VapidKeyPair {
	/** base64url of the uncompressed P-256 point (65 bytes): what browsers subscribe with. */
	publicKey: string;
	privateKey: string;
}

interface VapidDoc extends VapidKeyPair {
	_id: string;
	_rev?: string;
	type: 'push-vapid';
	createdAt: string;
}

export class VapidKeys {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #configured: VapidKeyPair | undefined;
	#loading: Promise<VapidKeyPair> | undefined;

	constructor(options: { couch: CouchClient; db: string; configured?: VapidKeyPair | undefined }) {
		this.#couch = options.couch;
		this.#db = options.db;
		this.#configured = options.configured;
	}

	/** The pair, read (or generated) once per process. */
	get(): Promise<VapidKeyPair> {
		if (this.#configured) return Promise.resolve(this.#configured);
		this.#loading ??= this.#load().catch((error: unknown) => {
			// A store that was down must not leave the failure cached for the process's lifetime.
			this.#loading = undefined;
			throw error;
		});
		return this.#loading;
	}

	async #load(): Promise<VapidKeyPair> {
		const existing = await this.#couch.getDoc<VapidDoc>({ db: this.#db, id: DOC_ID });
		if (existing) return pairOf(existing);
		const fresh = webpush.generateVAPIDKeys();
		const doc: VapidDoc = {
			_id: DOC_ID,
			type: 'push-vapid',
			publicKey: fresh.publicKey,
			privateKey: fresh.privateKey,
			createdAt: new Date().toISOString()
		};
		try {
			await this.#couch.putDoc({ db: this.#db, doc });
			return pairOf(doc);
		} catch (error) {
			if (!(error instanceof CouchError) || error.status !== 409) throw error;
			const winner = await this.#couch.getDoc<VapidDoc>({ db: this.#db, id: DOC_ID });
			if (!winner) throw error;
			return pairOf(winner);
		}
	}
}

function pairOf(doc: VapidKeyPair): VapidKeyPair {
	return { publicKey: doc.publicKey, privateKey: doc.privateKey };
}
