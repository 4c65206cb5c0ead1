// Kept whole (~510 lines): every claim write (claim, rollback, reconcile, move) goes through the same private compare-and-set helpers, which should not become public.
import { isMemberStatus, isOnRolls } from '../../src/lib/domain/member-statuses';
import { REGISTRY_LOOKUP_LIMITS } from '../config';
import type { CouchClient } from '../couch/couch-client';
import { LoginRateLimiter, type RateLimits } from '../accounts/login-rate-limiter';
import { unitStatus, type UnitRecord } from '../couch/provision-service';

// The national citizen-id registry (docs/architecture.md, "National citizen-id registry";
// docs/decisions/0009-transfers-and-registry.md). One `cid:<citizenId>` document per person on the
// rolls somewhere (active or transferring), in the admin-only `doanvu_registry` database, saying
// which member holds the number and in which unit. Claims are compare-and-set: a new claim is
// created without a revision and a takeover is written against the revision read, so of two units
// admitting the same person at once CouchDB lets exactly one through.
//
// The registry is an index of the unit databases, not a second truth: a claim whose holder no longer
// holds the number (deleted, left the rolls, number corrected) is stale and is taken over; the
// watcher (workers/unit-watcher.ts) releases and moves claims as the unit databases change, and can
// rebuild the whole registry from them.
//
// Personal data: citizen ids appear in document ids only. Nothing here logs them or puts them in an
// error message (CouchClient's own errors name the document, so this file builds its own).

export type ClaimStatus = 'active' | 'transferring';

export interface ClaimDoc {
	_id: string;
	_rev?: string;
	_deleted?: boolean;
	type: 'claim';
	memberId: string;
	unitId: string;
	/** The unit's name when the claim was written; answers use the directory's current name. */
	unitName: string;
	status: ClaimStatus;
	claimedAt: string;
	updatedAt: string;
}

/** What the registry needs to know of a unit. */
export type RegistryUnit = Pick<UnitRecord, 'id' | 'name' | 'db' | 'status' | 'mergedInto'>;

export const CITIZEN_ID_PATTERN = /^\d{12}$/;

const REGISTRY_DESIGN_ID = '_design/registry';

export function claimId(citizenId: string): string {
	return `cid:${citizenId}`;
}

function citizenIdOf(id: string): string {
	return id.slice(4);
}

/** The claim a stored member document makes: live, on the rolls, with a well-formed citizen id. */
export function claimOf(
	doc: Record<string, unknown> | undefined | null
): { memberId: string; citizenId: string; status: ClaimStatus } | undefined {
	if (!doc || doc._deleted || doc.type !== 'member') return undefined;
	const id = doc._id;
	const citizenId = doc.citizenId;
	const status = doc.status;
	if (typeof id !== 'string' || !id.startsWith('member:')) return undefined;
	if (typeof citizenId !== 'string' || !CITIZEN_ID_PATTERN.test(citizenId)) return undefined;
	if (!isMemberStatus(status) || !isOnRolls(status)) return undefined;
	return { memberId: id, citizenId, status: status as ClaimStatus };
}

export interface ClaimRequest {
	memberId: string;
	citizenId: string;
	status: ClaimStatus;
}

export type ClaimAnswer =
	{ ok: true; created?: { id: string; rev: string } } | { ok: false; unitName?: string };

export interface ReconcileResult {
	claimed: number;
	released: number;
	moved: number;
	/** Numbers held on the rolls by two members at once (data from before the registry): left alone. */
	clashes: number;
}

type Row = { id: string; value?: { rev: string; deleted?: boolean }; doc?: ClaimDoc | null };

export class CitizenRegistry {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #units: (id: string) => Promise<RegistryUnit | undefined>;
	readonly #now: () => Date;
	readonly #graceMs: number;
	/**
	 * Lookups that may name the unit holding a number — GET /api/registry/check and the refusals of
	 * the /couch guard — counted together per account, per unit and per address: both ask the same
	 * question ("who holds this number?"), so both use this one limiter.
	 */
	readonly lookups: LoginRateLimiter;

	constructor(options: {
		couch: CouchClient;
		db: string;
		/** A unit by id, as the directory says now (the caller may cache it for a second). */
		units: (id: string) => Promise<RegistryUnit | undefined>;
		now?: () => Date;
		/**
		 * A claim written less than this long ago is never judged stale: its member's document may
		 * still be on its way to the unit database (the claim is made before the write).
		 */
		graceMs?: number;
		/** config.registryCheckLimits; the production limit by default. */
		lookupLimits?: RateLimits;
	}) {
		this.lookups = new LoginRateLimiter(options.lookupLimits ?? REGISTRY_LOOKUP_LIMITS);
		this.#couch = options.couch;
		this.#db = options.db;
		this.#units = options.units;
		this.#now = options.now ?? (() => new Date());
		this.#graceMs = options.graceMs ?? 5 * 60_000;
	}

	get db(): string {
		return this.#db;
	}

	async ensureIndexes(): Promise<void> {
		await this.#couch.putDesignDoc({
			db: this.#db,
			doc: {
				_id: REGISTRY_DESIGN_ID,
				language: 'javascript',
				views: {
					by_member: {
						map: "function (doc) { if (doc.type === 'claim') emit(doc.memberId, null); }"
					},
					by_unit: {
						map: "function (doc) { if (doc.type === 'claim') emit(doc.unitId, null); }"
					}
				}
			}
		});
	}

	// -------------------------------------------------------------------------------------------
	// The /couch proxy: claims before a device's member documents are stored.

	/**
	 * Claims each number for its member in `unit`, or says who holds it. Answers are in the order of
	 * `requests`. A number asked for by two members of one batch goes to the first.
	 */
	async claim(options: { unit: RegistryUnit; requests: ClaimRequest[] }): Promise<ClaimAnswer[]> {
		const { unit, requests } = options;
		const answers: (ClaimAnswer | undefined)[] = requests.map(() => undefined);
		const firstByCid = new Map<string, number>();
		requests.forEach((request, index) => {
			if (!firstByCid.has(request.citizenId)) firstByCid.set(request.citizenId, index);
		});
		let pending = [...firstByCid.keys()];
		for (let attempt = 0; attempt < 4 && pending.length > 0; attempt++) {
			const current = await this.#read(pending);
			const writes: ClaimDoc[] = [];
			const writers = new Map<string, number>();
			for (const cid of pending) {
				const index = firstByCid.get(cid)!;
				const request = requests[index]!;
				const claim = current.get(cid);
				if (claim && claim.memberId === request.memberId) {
					answers[index] = { ok: true };
				} else if (claim && (await this.#holds(claim))) {
					answers[index] = { ok: false, unitName: await this.#nameOf(claim) };
				} else {
					// Free, or held by a stale claim: taken over against the revision just read.
					writes.push(this.#newClaim({ cid, request, unit, rev: claim?._rev }));
					writers.set(claimId(cid), index);
				}
			}
			const results = await this.#write(writes);
			pending = [];
			for (const [id, result] of results) {
				const index = writers.get(id)!;
				if (result.rev) answers[index] = { ok: true, created: { id, rev: result.rev } };
				else pending.push(citizenIdOf(id));
			}
		}
		// Still contended after four rounds: refused this time, the device pushes it again later.
		for (const cid of pending) answers[firstByCid.get(cid)!] = { ok: false };
		return requests.map((request, index) => {
			const first = firstByCid.get(request.citizenId)!;
			const answer = answers[first] ?? { ok: false };
			if (index === first) return answer;
			// The same member twice in one batch (conflicting revisions): the same answer.
			if (request.memberId === requests[first]!.memberId) return answer.ok ? { ok: true } : answer;
			// Another member of the same batch with the same number.
			return { ok: false, unitName: answer.ok ? unit.name : answer.unitName };
		});
	}

	/** Undoes claims made for documents CouchDB then refused (only if nobody changed them since). */
	async rollback(created: { id: string; rev: string }[]): Promise<void> {
		if (created.length === 0) return;
		await this.#write(
			created.map(({ id, rev }) => ({ _id: id, _rev: rev, _deleted: true }) as ClaimDoc)
		).catch(() => {
			// A claim left behind is stale and will be taken over or released.
		});
	}

	/** GET /api/registry/check: whether the number is on the rolls elsewhere, and where. */
	async check(options: {
		citizenId: string;
		memberId?: string;
	}): Promise<{ status: 'free' } | { status: 'active'; unitName: string }> {
		const claim = (await this.#read([options.citizenId])).get(options.citizenId);
		if (!claim || claim.memberId === options.memberId || !(await this.#holds(claim))) {
			return { status: 'free' };
		}
		return { status: 'active', unitName: await this.#nameOf(claim) };
	}

	/**
	 * POST /api/registry/clashes (a member import's whole file): of these numbers, the ones on the
	 * rolls in a unit other than `unitId`, each with that unit's name — what `check` answers one
	 * number at a time, and nothing more. A number held in `unitId` itself (or in a unit merged into
	 * it) is the caller's own member: not a clash, and not named.
	 */
	async clashes(options: {
		citizenIds: readonly string[];
		unitId: string;
	}): Promise<{ citizenId: string; unitName: string }[]> {
		const claims = await this.#read([...new Set(options.citizenIds)]);
		const found: { citizenId: string; unitName: string }[] = [];
		for (const [citizenId, claim] of claims) {
			if (claim.unitId === options.unitId || !(await this.#holds(claim))) continue;
			const unit = await this.#currentUnit(claim);
			if (unit?.id === options.unitId) continue;
			found.push({ citizenId, unitName: unit?.name ?? claim.unitName });
		}
		return found;
	}

	// -------------------------------------------------------------------------------------------
	// Workers: keeping the registry in line with the unit databases.

	/**
	 * Brings the claims of these member documents (as stored in `unit`'s database) in line with
	 * them: numbers on the rolls claimed, numbers that left the rolls (or the unit, or were corrected)
	 * released, claims of moved records (a split's tombstones name where they went) moved.
	 */
	async reconcile(options: {
		unit: RegistryUnit;
		docs: Record<string, unknown>[];
	}): Promise<ReconcileResult> {
		const { unit } = options;
		const result: ReconcileResult = { claimed: 0, released: 0, moved: 0, clashes: 0 };
		// A merged unit's records are carried to the unit it joined, which claims them there.
		if (unitStatus(unit) === 'merged') return result;
		const latest = new Map<string, Record<string, unknown>>();
		for (const doc of options.docs) {
			if (typeof doc._id === 'string' && doc._id.startsWith('member:')) latest.set(doc._id, doc);
		}
		let memberIds = [...latest.keys()];
		for (let attempt = 0; attempt < 3 && memberIds.length > 0; attempt++) {
			const conflicted = await this.#reconcileOnce({ unit, latest, memberIds, result });
			memberIds = conflicted;
		}
		return result;
	}

	async #reconcileOnce(options: {
		unit: RegistryUnit;
		latest: Map<string, Record<string, unknown>>;
		memberIds: string[];
		result: ReconcileResult;
	}): Promise<string[]> {
		const { unit, latest, memberIds, result } = options;
		const now = this.#now().toISOString();
		const desired = new Map<string, { memberId: string; status: ClaimStatus }>();
		const wantedBy = new Map<string, string>();
		for (const id of memberIds) {
			const claim = claimOf(latest.get(id));
			if (!claim || desired.has(claim.citizenId)) continue;
			desired.set(claim.citizenId, { memberId: id, status: claim.status });
			wantedBy.set(id, claim.citizenId);
		}
		const writes: ClaimDoc[] = [];
		const owner = new Map<string, string>();
		const counted = new Map<string, keyof ReconcileResult>();

		// Claims these members hold here but should not (any more).
		for (const [memberId, claims] of await this.#byMember(memberIds)) {
			for (const claim of claims) {
				if (claim.unitId !== unit.id) continue;
				const cid = citizenIdOf(claim._id);
				if (wantedBy.get(memberId) === cid) continue;
				const doc = latest.get(memberId);
				const movedTo =
					doc?._deleted && typeof doc.splitInto === 'string'
						? doc.splitInto
						: doc?._deleted && typeof doc.transferredTo === 'string'
							? doc.transferredTo
							: undefined;
				const to = movedTo ? await this.#units(movedTo) : undefined;
				if (to) {
					writes.push({ ...claim, unitId: to.id, unitName: to.name, updatedAt: now });
					counted.set(claim._id, 'moved');
				} else {
					writes.push({ _id: claim._id, _rev: claim._rev, _deleted: true } as ClaimDoc);
					counted.set(claim._id, 'released');
				}
				owner.set(claim._id, memberId);
			}
		}

		// Numbers these members hold on the rolls here.
		const current = await this.#read([...desired.keys()]);
		for (const [cid, want] of desired) {
			const claim = current.get(cid);
			const fresh = this.#newClaim({ cid, request: { ...want, citizenId: cid }, unit });
			let write: ClaimDoc | undefined;
			if (!claim) {
				write = fresh;
				counted.set(fresh._id, 'claimed');
			} else if (claim.memberId === want.memberId) {
				if (claim.unitId === unit.id) {
					if (claim.status !== want.status || claim.unitName !== unit.name) {
						write = { ...claim, status: want.status, unitName: unit.name, updatedAt: now };
					}
				} else if (!(await this.#stillOnRollsThere(claim))) {
					// Its former unit no longer has it on the rolls (merged away, moved): it is here now.
					write = { ...fresh, _rev: claim._rev, claimedAt: claim.claimedAt };
					counted.set(fresh._id, 'moved');
				}
				// Otherwise both units hold the member on the rolls: a transfer under way, which its
				// worker settles (workers/transfer-worker.ts).
			} else if (await this.#holds(claim)) {
				result.clashes++;
			} else {
				write = { ...fresh, _rev: claim._rev };
				counted.set(fresh._id, 'claimed');
			}
			if (write) {
				writes.push(write);
				owner.set(write._id, want.memberId);
			}
		}

		const conflicted = new Set<string>();
		for (const [id, outcome] of await this.#write(writes)) {
			if (outcome.rev) {
				const kind = counted.get(id);
				if (kind) result[kind]++;
			} else conflicted.add(owner.get(id)!);
		}
		return [...conflicted];
	}

	/**
	 * A transfer was accepted: the number is the member's in the receiving unit now, whatever unit
	 * the claim named. Of a number held on the rolls by somebody else nothing is taken.
	 */
	async moveMember(options: {
		memberId: string;
		citizenId: string | undefined;
		status: ClaimStatus;
		to: RegistryUnit;
	}): Promise<'moved' | 'unchanged' | 'held'> {
		const { memberId, citizenId, status, to } = options;
		if (!citizenId || !CITIZEN_ID_PATTERN.test(citizenId)) return 'unchanged';
		for (let attempt = 0; attempt < 5; attempt++) {
			const claim = (await this.#read([citizenId])).get(citizenId);
			const fresh = this.#newClaim({
				cid: citizenId,
				request: { memberId, citizenId, status },
				unit: to
			});
			let write: ClaimDoc;
			if (!claim) write = fresh;
			else if (claim.memberId === memberId) {
				if (claim.unitId === to.id && claim.status === status) return 'unchanged';
				write = { ...fresh, _rev: claim._rev, claimedAt: claim.claimedAt };
			} else if (await this.#holds(claim)) return 'held';
			else write = { ...fresh, _rev: claim._rev };
			const [[, outcome] = ['', {}]] = await this.#write([write]);
			if (outcome.rev) return 'moved';
		}
		throw new Error('registry: too many conflicts moving a claim');
	}

	/** A merge: every claim naming the merged unit now names the unit it joined. */
	async moveUnit(options: { fromUnitId: string; to: RegistryUnit }): Promise<number> {
		let moved = 0;
		for (let attempt = 0; attempt < 5; attempt++) {
			const claims = await this.#view('by_unit', [options.fromUnitId]);
			if (claims.length === 0) return moved;
			const now = this.#now().toISOString();
			const results = await this.#write(
				claims.map((claim) => ({
					...claim,
					unitId: options.to.id,
					unitName: options.to.name,
					updatedAt: now
				}))
			);
			for (const [, outcome] of results) if (outcome.rev) moved++;
		}
		throw new Error('registry: too many conflicts moving the claims of a unit');
	}

	// -------------------------------------------------------------------------------------------

	#newClaim(options: {
		cid: string;
		request: ClaimRequest;
		unit: RegistryUnit;
		rev?: string | undefined;
	}): ClaimDoc {
		const now = this.#now().toISOString();
		return {
			_id: claimId(options.cid),
			...(options.rev ? { _rev: options.rev } : {}),
			type: 'claim',
			memberId: options.request.memberId,
			unitId: options.unit.id,
			unitName: options.unit.name,
			status: options.request.status,
			claimedAt: now,
			updatedAt: now
		};
	}

	/** Whether the claim still stands: recent, or its member holds the number on the rolls. */
	async #holds(claim: ClaimDoc): Promise<boolean> {
		const age = this.#now().getTime() - Date.parse(claim.updatedAt ?? claim.claimedAt ?? '');
		if (!(age >= this.#graceMs)) return true;
		return this.#holdsMember({ unitId: claim.unitId, claim, cid: citizenIdOf(claim._id) });
	}

	/** Whether the claim's (active, not merged) unit still holds its member on the rolls. */
	async #stillOnRollsThere(claim: ClaimDoc): Promise<boolean> {
		const unit = await this.#units(claim.unitId);
		if (!unit || unitStatus(unit) !== 'active') return false;
		return this.#holdsMember({ unitId: unit.id, claim, cid: citizenIdOf(claim._id) });
	}

	/** Whether `unitId`'s database holds the claim's member on the rolls with this number. */
	async #holdsMember(options: { unitId: string; claim: ClaimDoc; cid: string }): Promise<boolean> {
		const unit = await this.#units(options.unitId);
		if (!unit) return false;
		const res = await this.#couch.request<Record<string, unknown>>({
			path: `${encodeURIComponent(unit.db)}/${encodeURIComponent(options.claim.memberId)}`
		});
		if (res.status === 404) return false;
		if (res.status !== 200) throw new Error(`registry: reading a holder answered ${res.status}`);
		const held = claimOf(res.body);
		// A merged unit's copy stays readable (and counts) until its new unit's claim replaces it.
		return held?.citizenId === options.cid;
	}

	/** The name to show for a claim: the unit's current name, or the unit it was merged into. */
	async #nameOf(claim: ClaimDoc): Promise<string> {
		return (await this.#currentUnit(claim))?.name ?? claim.unitName;
	}

	/** The claim's unit as the directory says now, or the unit it was merged into. */
	async #currentUnit(claim: ClaimDoc): Promise<RegistryUnit | undefined> {
		let unit = await this.#units(claim.unitId);
		for (let hops = 0; unit && unit.status === 'merged' && unit.mergedInto && hops < 8; hops++) {
			unit = (await this.#units(unit.mergedInto)) ?? unit;
			if (unit.status !== 'merged') break;
		}
		return unit;
	}

	/** Live claims by citizen id. */
	async #read(cids: string[]): Promise<Map<string, ClaimDoc>> {
		const found = new Map<string, ClaimDoc>();
		for (let i = 0; i < cids.length; i += 500) {
			const res = await this.#couch.request<{ rows?: Row[] }>({
				method: 'POST',
				path: `${encodeURIComponent(this.#db)}/_all_docs`,
				query: { include_docs: true },
				body: { keys: cids.slice(i, i + 500).map(claimId) }
			});
			if (res.status !== 200) throw new Error(`registry: reading claims answered ${res.status}`);
			for (const row of res.body.rows ?? []) {
				if (row.doc && !row.value?.deleted && row.doc.type === 'claim') {
					found.set(citizenIdOf(row.id), row.doc);
				}
			}
		}
		return found;
	}

	async #byMember(memberIds: string[]): Promise<Map<string, ClaimDoc[]>> {
		const byMember = new Map<string, ClaimDoc[]>();
		for (const claim of await this.#view('by_member', memberIds)) {
			byMember.set(claim.memberId, [...(byMember.get(claim.memberId) ?? []), claim]);
		}
		return byMember;
	}

	async #view(view: string, keys: string[]): Promise<ClaimDoc[]> {
		const claims: ClaimDoc[] = [];
		for (let i = 0; i < keys.length; i += 500) {
			const res = await this.#couch.request<{ rows?: { doc?: ClaimDoc | null }[] }>({
				method: 'POST',
				path: `${encodeURIComponent(this.#db)}/${REGISTRY_DESIGN_ID}/_view/${view}`,
				query: { include_docs: true },
				body: { keys: keys.slice(i, i + 500) }
			});
			if (res.status !== 200) throw new Error(`registry: ${view} answered ${res.status}`);
			for (const row of res.body.rows ?? []) if (row.doc?.type === 'claim') claims.push(row.doc);
		}
		return claims;
	}

	/** Writes claims; per id the new revision, or none when another writer came first (409). */
	async #write(docs: ClaimDoc[]): Promise<Map<string, { rev?: string }>> {
		const results = new Map<string, { rev?: string }>();
		if (docs.length === 0) return results;
		for (let i = 0; i < docs.length; i += 500) {
			const res = await this.#couch.request<
				{ id: string; rev?: string; error?: string }[] | { error?: string }
			>({
				method: 'POST',
				path: `${encodeURIComponent(this.#db)}/_bulk_docs`,
				body: { docs: docs.slice(i, i + 500) }
			});
			if ((res.status !== 201 && res.status !== 200) || !Array.isArray(res.body)) {
				throw new Error(`registry: writing claims answered ${res.status}`);
			}
			const other = res.body.filter((row) => row.error && row.error !== 'conflict');
			if (other.length > 0) {
				throw new Error(`registry: ${other.length} claims refused (${other[0]?.error})`);
			}
			for (const row of res.body)
				results.set(row.id, row.rev && !row.error ? { rev: row.rev } : {});
		}
		return results;
	}
}
