import type { Request, Response } from 'express';
import type { AccountDoc } from '../accounts/account-service';
import type { CouchClient } from '../couch/couch-client';
import type { UnitRecord } from '../couch/provision-service';
import { isUnitDb, unitIdOfDb } from '../couch/db-names';
import { sendError } from '../http/app-error';
import {
	claimOf,
	type CitizenRegistry,
	type ClaimRequest,
	type RegistryUnit
} from '../registry/registry-service';
import {
	carriesCitizenId,
	isRecord,
	refusalReason,
	refuseHistoryOfRefused,
	RETRY_LATER,
	schemaProblem,
	type Refusal
} from './citizen-id-check';
import { approvalsToCheck, refuseApprovalsWithoutMember } from './declaration-review-check';
import { forgedHistoryRevisions, HISTORY_IS_IMMUTABLE } from './history-branches';
import type { BufferedAnswer, CouchUpstream } from './upstream';
import { reminderRefusals } from './reminder-check';
import { mailRefusals } from './mail-check';
import { deviceReportRefusals } from './device-report-check';

export { refusalReason, RETRY_LATER } from './citizen-id-check';

// The write guard of the /couch proxy: it reads the bodies of document writes before they go on
// (to CouchDB by the proxy's own path, upstream.ts). The citizen-id check (docs/architecture.md,
// "National citizen-id registry"; docs/decisions/0009-transfers-and-registry.md): member documents
// a device pushes — `_bulk_docs`, with or without `new_edits: false`, and document PUTs — claim
// their citizen id in the registry before they are forwarded. A document whose number another member holds on the rolls is refused
// on its own: the rest of the batch goes on to CouchDB, and the answer carries one more per-document
// error in CouchDB's own shape (`forbidden`, which PouchDB and the sync engine report as denied),
// naming the unit where the person is active and nothing else about them. A claim made for a
// document CouchDB then refuses is undone. The history entries of a refused member in the same
// batch are refused with it.
//
// Every body is parsed, and the parsed documents decide — never a search of the text, which a key
// spelt with a JSON escape slipped past. What goes on is the parsed body serialised again, so the
// store reads exactly what was checked (duplicate keys included); a body that does not parse is
// refused. A member document carrying a citizen id is checked against the member schema before the
// registry is asked: an invalid one teaches nothing. A refusal that names the holder counts against
// the registry's lookup limit, shared with GET /api/registry/check; past it the refusal names nobody
// and carries `retry: true`, and the device sends the document again at a later sync. Replicated
// writes (`new_edits: false`) that would graft another revision onto a stored history entry are
// refused here too (history-branches.ts): Apache CouchDB would take them for a creation. A
// `target:` document for a unit not beneath the database's unit is refused here (the design
// document checks its shape but cannot see the tree). Nothing is logged.

/** A hook of the proxy for requests whose body must be read before they are forwarded. */
export interface ProxyBodyGuard {
	wants(options: { method: string; path: string }): boolean;
	handle(options: GuardedRequest): Promise<void>;
}

export interface GuardedRequest {
	req: Request;
	res: Response;
	/** The body as the proxy read it: decompressed, within its size and batch limits. */
	body: Buffer;
	db: string;
	/** Upstream path with the query string. */
	path: string;
	/** Where the proxy would forward it (the same path, on CouchDB). */
	target: URL;
	account: AccountDoc;
	/** The device the write came from (its cookie): a device reports only for itself. */
	deviceId?: string;
}

type BulkResult = {
	id?: string;
	rev?: string;
	ok?: boolean;
	error?: string;
	reason?: string;
	/** Not a verdict on the document: the device sends it again at a later sync. */
	retry?: boolean;
};

type Claim = { id: string; rev: string };

/** What the guard needs of a unit: the registry's part, and where it sits in the tree. */
export type GuardUnit = RegistryUnit & Pick<UnitRecord, 'ancestors'>;

const NOT_A_SUBORDINATE = 'Chỉ được giao chỉ tiêu cho đơn vị trực thuộc đơn vị mình.';

/**
 * A write once read:
 * - `answered`: the body was refused outright (not JSON, not a document or a batch);
 * - `unchecked`: nothing in it concerns the guard, it goes on as parsed;
 * - `checked`: its documents were checked; some may be refused, some claims made.
 */
type Verdict =
	| { state: 'answered' }
	| { state: 'unchecked'; body: Record<string, unknown> }
	| {
			state: 'checked';
			bulk: boolean;
			body: Record<string, unknown>;
			docs: unknown[];
			refused: Map<number, Refusal>;
			/** Claims this write made, by member id: undone unless CouchDB stores the member. */
			created: Map<string, Claim>;
	  };

type Checked = Extract<Verdict, { state: 'checked' }>;

const BAD_JSON = {
	status: 400,
	error: 'bad_request',
	reason: 'Dữ liệu gửi lên không đúng định dạng JSON.'
};

function docIdOf(path: string): string | undefined {
	const [, segment] = path.split('?', 1)[0]!.split('/');
	if (segment === undefined) return undefined;
	try {
		return decodeURIComponent(segment);
	} catch {
		return undefined;
	}
}

export class WriteGuard implements ProxyBodyGuard {
	readonly #couch: CouchClient;
	readonly #upstream: CouchUpstream;
	readonly #registry: CitizenRegistry;
	readonly #units: (id: string) => Promise<UnitRecord | undefined>;
	readonly #filesDb: string;

	constructor(options: {
		couch: CouchClient;
		upstream: CouchUpstream;
		registry: CitizenRegistry;
		/** The directory's units (their ancestors too: a reminder goes to descendants only). */
		units: (id: string) => Promise<UnitRecord | undefined>;
		/** The file store (`doanvu_files`): a mail attaches only files its unit may read. */
		filesDb: string;
	}) {
		this.#couch = options.couch;
		this.#upstream = options.upstream;
		this.#registry = options.registry;
		this.#units = options.units;
		this.#filesDb = options.filesDb;
	}

	wants({ method, path }: { method: string; path: string }): boolean {
		if (method === 'POST') return path.endsWith('/_bulk_docs');
		const id = docIdOf(path) ?? '';
		return (
			method === 'PUT' &&
			(id.startsWith('member:') ||
				id.startsWith('history:') ||
				id.startsWith('reminder:') ||
				id.startsWith('mail:') ||
				id.startsWith('device-report:') ||
				id.startsWith('target:') ||
				id.startsWith('declaration-review:'))
		);
	}

	async handle(request: GuardedRequest): Promise<void> {
		const verdict = await this.#check(request);
		if (verdict.state === 'answered') return;
		if (verdict.state === 'unchecked') {
			const answer = await this.#forward(request, JSON.stringify(verdict.body));
			if (answer) request.res.status(answer.status).type(answer.contentType).send(answer.text);
			return;
		}
		if (verdict.bulk) await this.#sendBatch(request, verdict);
		else await this.#sendOne(request, verdict);
	}

	/** Parses the write and decides on each of its documents (claiming citizen ids in the registry). */
	async #check(request: GuardedRequest): Promise<Verdict> {
		const { req, res, db, path, account } = request;
		const bulk = req.method === 'POST';
		// Decided on the parsed documents, never on the text: a key written with a JSON escape
		// (`"citizen\u0049d"`) is the same key once parsed. What goes on to CouchDB is what was
		// parsed and checked, serialised again, so no other parser can read it differently.
		let body: unknown;
		try {
			body = JSON.parse(request.body.toString('utf8'));
		} catch {
			sendError(res, BAD_JSON);
			return { state: 'answered' };
		}
		if (!isRecord(body) || (bulk && !Array.isArray(body.docs))) {
			sendError(res, BAD_JSON);
			return { state: 'answered' };
		}
		const docs: unknown[] = bulk ? (body.docs as unknown[]) : [{ ...body, _id: docIdOf(path) }];
		const unitId = isUnitDb(db) ? unitIdOfDb(db) : undefined;
		const unit: RegistryUnit | undefined = unitId ? await this.#units(unitId) : undefined;

		// Each live member document that carries a citizen id is checked against the member
		// schema first: an invalid one is refused without a registry lookup (nothing to learn
		// from it), and never stored unchecked.
		const refused = new Map<number, Refusal>();
		const subjects: { index: number; request: ClaimRequest }[] = [];
		docs.forEach((doc, index) => {
			if (!carriesCitizenId(doc)) return;
			const problem = schemaProblem(doc);
			if (problem) {
				refused.set(index, { reason: problem });
				return;
			}
			const claim = claimOf(doc);
			if (claim) subjects.push({ index, request: claim });
		});
		// A replicated write that would graft another revision onto a stored history entry.
		const replicated = bulk ? body.new_edits === false : /[?&]new_edits=false(&|$)/.test(path);
		if (replicated) {
			for (const index of await forgedHistoryRevisions({ couch: this.#couch, db, docs })) {
				refused.set(index, { reason: HISTORY_IS_IMMUTABLE });
			}
		}
		// Reminders go to the sender's descendants only (reminder-check.ts).
		if (unitId) {
			for (const [index, reason] of await reminderRefusals({ unitId, docs, units: this.#units })) {
				refused.set(index, { reason });
			}
			// Mail: recipients its kind may reach, files its unit may read (mail-check.ts).
			const mail = await mailRefusals({
				unitId,
				docs,
				units: this.#units,
				couch: this.#couch,
				filesDb: this.#filesDb
			});
			for (const [index, reason] of mail) refused.set(index, { reason });
		}
		// A device's sync report is its own (device-report-check.ts).
		for (const [index, reason] of deviceReportRefusals({ docs, deviceId: request.deviceId })) {
			refused.set(index, { reason });
		}
		// A target is set by a superior for a unit beneath it only (validate_doc_update cannot know
		// the tree; it checks the rest of the document).
		for (const [index, reason] of await this.#foreignTargets(unitId, docs)) {
			refused.set(index, { reason });
		}
		// An approval of a declaration stands with its member record (declaration-review-check.ts),
		// decided once the members are.
		const approvals = approvalsToCheck(docs);
		// A database the directory does not know has no unit to claim for (CouchDB refuses it).
		if (!unit) subjects.length = 0;
		if (refused.size === 0 && subjects.length === 0 && approvals.length === 0) {
			return { state: 'unchecked', body };
		}

		const answers =
			unit && subjects.length > 0
				? await this.#registry.claim({ unit, requests: subjects.map((s) => s.request) })
				: [];
		const created = new Map<string, Claim>();
		const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
		subjects.forEach((subject, i) => {
			const answer = answers[i]!;
			if (answer.ok) {
				if (answer.created) created.set(subject.request.memberId, answer.created);
				return;
			}
			// Naming the holder is what the check endpoint answers: it counts against the same
			// limit, keyed by the asking account's unit (as the check endpoint does), whichever
			// database it writes to. Past it (or when the registry could not decide) the refusal
			// names nobody and the device sends the document again later.
			const named =
				answer.unitName !== undefined &&
				this.#registry.lookups.reserveLookup({
					login: account.login,
					unitId: account.unitId,
					ip
				}).ok;
			refused.set(
				subject.index,
				named ? { reason: refusalReason(answer.unitName) } : { reason: RETRY_LATER, retry: true }
			);
		});
		if (bulk && refused.size > 0) refuseHistoryOfRefused(docs, refused);
		if (approvals.length > 0) {
			await refuseApprovalsWithoutMember({ couch: this.#couch, db, docs, approvals, refused });
		}
		return { state: 'checked', bulk, body, docs, refused, created };
	}

	/** Targets in the write for a unit that is not beneath the database's unit, with the reason. */
	async #foreignTargets(unitId: string | undefined, docs: unknown[]): Promise<Map<number, string>> {
		const refused = new Map<number, string>();
		for (const [index, doc] of docs.entries()) {
			if (!isRecord(doc) || doc._deleted === true) continue;
			if (doc.type !== 'target' && !String(doc._id ?? '').startsWith('target:')) continue;
			const target =
				typeof doc.forUnitId === 'string' ? await this.#units(doc.forUnitId) : undefined;
			if (!unitId || !target || !target.ancestors.includes(unitId)) {
				refused.set(index, NOT_A_SUBORDINATE);
			}
		}
		return refused;
	}

	/** A single document PUT: refused as a whole, or forwarded and its claim kept only if stored. */
	async #sendOne(request: GuardedRequest, checked: Checked): Promise<void> {
		const { res } = request;
		const claims = [...checked.created.values()];
		if (checked.refused.size > 0) {
			sendError(res, { status: 403, error: 'forbidden', reason: refusal(checked, 0).reason! });
			return;
		}
		const answer = await this.#forward(request, JSON.stringify(checked.body));
		if (!answer) {
			await this.#registry.rollback(claims);
			return;
		}
		if (answer.status >= 300) await this.#registry.rollback(claims);
		res.status(answer.status).type(answer.contentType).send(answer.text);
	}

	/** A `_bulk_docs`: the documents not refused go on; the answer merges CouchDB's and the refusals. */
	async #sendBatch(request: GuardedRequest, checked: Checked): Promise<void> {
		const { res } = request;
		const { body, docs, refused, created } = checked;
		const kept = docs.filter((_doc, index) => !refused.has(index));
		const newEdits = body.new_edits !== false;
		let upstream: BulkResult[] = [];
		let status = 201;
		if (kept.length > 0) {
			const answer = await this.#forward(request, JSON.stringify({ ...body, docs: kept }));
			if (!answer) {
				await this.#registry.rollback([...created.values()]);
				return;
			}
			let parsed: unknown;
			try {
				parsed = JSON.parse(answer.text);
			} catch {
				parsed = undefined;
			}
			if (answer.status >= 300 || !Array.isArray(parsed)) {
				// The whole request failed (bad request, forbidden database…): nothing was stored.
				await this.#registry.rollback([...created.values()]);
				res.status(answer.status).type(answer.contentType).send(answer.text);
				return;
			}
			upstream = parsed as BulkResult[];
			status = answer.status;
		}

		// Claims whose member CouchDB stored no revision of are undone.
		const failed = new Set(upstream.filter((row) => row.error).map((row) => String(row.id)));
		const storedIds = new Set(
			newEdits
				? upstream.filter((row) => !row.error).map((row) => String(row.id))
				: kept.map((doc) => (isRecord(doc) ? String(doc._id) : '')).filter((id) => !failed.has(id))
		);
		await this.#registry.rollback(
			[...created].filter(([memberId]) => !storedIds.has(memberId)).map(([, claim]) => claim)
		);

		// The answer in CouchDB's shape: with new_edits one row per document in order, without it
		// only the errors.
		let merged: BulkResult[];
		if (newEdits) {
			merged = [];
			let next = 0;
			docs.forEach((_doc, index) => {
				merged.push(refused.has(index) ? refusal(checked, index) : (upstream[next++] ?? {}));
			});
		} else {
			merged = [...upstream, ...[...refused.keys()].map((index) => refusal(checked, index))];
		}
		res.status(status).json(merged);
	}

	/** The checked body, on to CouchDB by the proxy's own path; undefined once the device was answered. */
	#forward(request: GuardedRequest, body: string): Promise<BufferedAnswer | undefined> {
		const { req, res, account, target } = request;
		return this.#upstream.buffered({ req, res, account, target, body });
	}
}

/** A refused document's row in CouchDB's own shape (`forbidden`: PouchDB reports it as denied). */
function refusal(checked: Checked, index: number): BulkResult {
	const doc = checked.docs[index];
	const why = checked.refused.get(index)!;
	return {
		id: isRecord(doc) ? String(doc._id ?? '') : '',
		error: 'forbidden',
		reason: why.reason,
		...(why.retry ? { retry: true } : {})
	};
}
