import type { AccountService } from '../accounts/account-service';
import type { CouchClient } from '../couch/couch-client';

// The figures list each unit's devices (last seen, revoked), which live in `doanvu_accounts`, not in
// the unit's database: a sign-in, a revocation or a device seen again (its `lastSeenAt`, written at
// most every few minutes) changes a unit's figures without any write to its database. So the figures
// worker follows the accounts database's `_changes` too (from where it stood when this process
// started: a first cycle lists every unit's devices anyway) and learns which units' devices changed.
// Only the documents' ids and two fields are used; nothing else of an account is kept.

type Seq = string | number;

interface Change {
	id: string;
	deleted?: boolean;
	doc?: { type?: string; login?: string; unitId?: string };
}

export class FiguresAccounts {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #accounts: AccountService;
	/** login → unit, as last seen (accounts move between units in a merge). */
	readonly #unitOf = new Map<string, string>();
	#seq: Seq | undefined;

	constructor(options: { couch: CouchClient; db: string; accounts: AccountService }) {
		this.#couch = options.couch;
		this.#db = options.db;
		this.#accounts = options.accounts;
	}

	/** Units whose accounts or devices changed since the last call (none at the first). */
	async changedUnits(): Promise<Set<string>> {
		const units = new Set<string>();
		if (this.#seq === undefined) {
			const info = await this.#couch.json<{ update_seq: Seq }>({
				path: encodeURIComponent(this.#db),
				what: `${this.#db} info`
			});
			this.#seq = info.update_seq;
			return units;
		}
		for (;;) {
			const page: { results: Change[]; last_seq: Seq } = await this.#couch.json({
				path: `${encodeURIComponent(this.#db)}/_changes`,
				query: { since: String(this.#seq), include_docs: true, limit: 1000 },
				what: `${this.#db}/_changes`
			});
			for (const change of page.results) {
				const doc = change.doc;
				if (change.deleted || !doc) continue;
				if (doc.type === 'account' && doc.login && doc.unitId) {
					// An account moved: its old unit loses its devices, its new one gains them.
					const before = this.#unitOf.get(doc.login);
					if (before && before !== doc.unitId) units.add(before);
					this.#unitOf.set(doc.login, doc.unitId);
					units.add(doc.unitId);
				} else if (doc.type === 'device' && doc.login) {
					const unitId = await this.#unitOfLogin(doc.login);
					if (unitId) units.add(unitId);
				}
			}
			this.#seq = page.last_seq;
			if (page.results.length < 1000) return units;
		}
	}

	async #unitOfLogin(login: string): Promise<string | undefined> {
		const known = this.#unitOf.get(login);
		if (known) return known;
		const account = await this.#accounts.getAccount(login);
		if (!account) return undefined;
		if (this.#unitOf.size > 100_000) this.#unitOf.clear();
		this.#unitOf.set(login, account.unitId);
		return account.unitId;
	}
}
