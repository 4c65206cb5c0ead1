import type { Request, Response } from 'express';
import type { AccountDoc } from '../accounts/account-service';
import { sendError, UNAVAILABLE_ERROR } from '../http/app-error';
import type { CouchClient } from '../couch/couch-client';
import type { CouchSessionCache } from '../couch/session-cache';
import { unitIdFromDb } from '../couch/db-names';
import { forgedHistoryRevisions, HISTORY_IS_IMMUTABLE } from './history-branches';
import { MemberDocError, upgradeMemberDoc } from '../../src/lib/domain/member-schema';
import {
	claimOf,
	type CitizenRegistry,
	type ClaimRequest,
	type RegistryUnit
} from '../registry/registry-service';

// The citizen-id check of the /couch proxy (docs/architecture.md, "National citizen-id registry";
// docs/decisions/0009-transfers-and-registry.md). Member documents a device pushes — `_bulk_docs`,
// with or without `new_edits: false`, and document PUTs — claim their citizen id in the registry
// before they are forwarded. A document whose number another member holds on the rolls is refused
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
// refused here too (history-branches.ts): Apache CouchDB would take them for a creation. Nothing is
// logged.

/** A hook of the proxy for requests whose body must be read before they are forwarded. */
export interface ProxyBodyGuard {
	wants(options: { method: string; path: string }): boolean;
	handle(options: {
		req: Request;
		res: Response;
		/** The body as the proxy read it: decompressed, within its size and batch limits. */
		body: Buffer;
		db: string;
		/** Upstream path with the query string. */
		path: string;
		account: AccountDoc;
	}): Promise<void>;
}

export function refusalReason(unitName: string | undefined): string {
	return unitName
		? `Số CCCD này đang sinh hoạt tại ${unitName}. Mỗi người chỉ có một hồ sơ đang sinh hoạt: ` +
				'hãy đề nghị đơn vị đó chuyển sinh hoạt đoàn viên đến đơn vị mình, không kết nạp lại.'
		: RETRY_LATER;
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

type Refusal = { reason: string; retry?: boolean };

/** Past the lookup limit, or when the registry could not decide: names nobody. */
export const RETRY_LATER =
	'Chưa kiểm tra được số CCCD này với danh sách toàn quốc lúc này. Vui lòng thử lại sau ít phút: ' +
	'hồ sơ vẫn được giữ trên máy và sẽ được gửi lại ở lần đồng bộ sau.';

const BAD_JSON = {
	status: 400,
	error: 'bad_request',
	reason: 'Dữ liệu gửi lên không đúng định dạng JSON.'
};

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A live member document with a `citizenId` member, whatever its value. */
function carriesCitizenId(doc: unknown): doc is Record<string, unknown> {
	if (!isRecord(doc) || doc._deleted === true) return false;
	const member = doc.type === 'member' || String(doc._id ?? '').startsWith('member:');
	return member && Object.hasOwn(doc, 'citizenId');
}

/** Why the domain's member schema refuses the document (Vietnamese, no field values), if it does. */
function schemaProblem(doc: Record<string, unknown>): string | undefined {
	try {
		upgradeMemberDoc(doc);
		return undefined;
	} catch (error) {
		return error instanceof MemberDocError ? error.message : 'Hồ sơ đoàn viên không hợp lệ.';
	}
}

export function createRegistryGuard(options: {
	couch: CouchClient;
	couchSessions: CouchSessionCache;
	registry: CitizenRegistry;
	units: (id: string) => Promise<RegistryUnit | undefined>;
}): ProxyBodyGuard {
	const { couch, couchSessions, registry, units } = options;

	function docIdOf(path: string): string | undefined {
		const [, segment] = path.split('?', 1)[0]!.split('/');
		if (segment === undefined) return undefined;
		try {
			return decodeURIComponent(segment);
		} catch {
			return undefined;
		}
	}

	/** Sends the (buffered) body to CouchDB as the user; once more with a new session on a 401. */
	async function send(options: {
		method: string;
		path: string;
		body: Buffer | string;
		account: AccountDoc;
		ifMatch: string | undefined;
	}): Promise<{ status: number; text: string; contentType: string }> {
		for (let attempt = 0; ; attempt++) {
			const cookie = await couchSessions.get({
				login: options.account.login,
				serviceSecret: options.account.serviceSecret
			});
			const res = await fetch(couch.url(options.path), {
				method: options.method,
				headers: {
					cookie,
					accept: 'application/json',
					'content-type': 'application/json',
					...(options.ifMatch ? { 'if-match': options.ifMatch } : {})
				},
				body: options.body as BodyInit
			});
			const text = await res.text();
			if (res.status === 401 && attempt === 0) {
				couchSessions.invalidate(options.account.login);
				continue;
			}
			return {
				status: res.status,
				text,
				contentType: res.headers.get('content-type') ?? 'application/json'
			};
		}
	}

	return {
		wants({ method, path }) {
			if (method === 'POST') return path.endsWith('/_bulk_docs');
			const id = docIdOf(path) ?? '';
			return method === 'PUT' && (id.startsWith('member:') || id.startsWith('history:'));
		},

		async handle({ req, res, body: raw, db, path, account }) {
			const bulk = req.method === 'POST';
			const ifMatch = req.headers['if-match']?.toString();
			const forward = async (body: Buffer | string) => {
				try {
					const answer = await send({ method: req.method, path, body, account, ifMatch });
					if (answer.status >= 500) {
						sendError(res, { status: 502, ...UNAVAILABLE_ERROR });
						return undefined;
					}
					if (answer.status === 401) {
						// CouchDB refused our fresh session cookie too: that is the server's session with
						// CouchDB, not the device's. A 401 would make the phone think it was signed out;
						// a 503 makes it retry, as the proxy's own forward does.
						couchSessions.invalidate(account.login);
						res.set('retry-after', '1');
						sendError(res, {
							status: 503,
							error: 'upstream_session',
							reason: 'Máy chủ đang làm mới phiên kết nối dữ liệu. Vui lòng thử lại.'
						});
						return undefined;
					}
					return answer;
				} catch {
					sendError(res, { status: 502, ...UNAVAILABLE_ERROR });
					return undefined;
				}
			};
			const passThrough = async (text: string) => {
				const answer = await forward(text);
				if (answer) res.status(answer.status).type(answer.contentType).send(answer.text);
			};

			// Decided on the parsed documents, never on the text: a key written with a JSON escape
			// (`"citizen\u0049d"`) is the same key once parsed. What goes on to CouchDB is what was
			// parsed and checked, serialised again, so no other parser can read it differently.
			let body: unknown;
			try {
				body = JSON.parse(raw.toString('utf8'));
			} catch {
				sendError(res, BAD_JSON);
				return;
			}
			if (!isRecord(body) || (bulk && !Array.isArray(body.docs))) {
				sendError(res, BAD_JSON);
				return;
			}
			const docs: unknown[] = bulk ? (body.docs as unknown[]) : [{ ...body, _id: docIdOf(path) }];
			const unitId = unitIdFromDb(db);
			const unit = unitId ? await units(unitId) : undefined;

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
				for (const index of await forgedHistoryRevisions({ couch, db, docs })) {
					refused.set(index, { reason: HISTORY_IS_IMMUTABLE });
				}
			}
			// A database the directory does not know has no unit to claim for (CouchDB refuses it).
			if (!unit) subjects.length = 0;
			if (refused.size === 0 && subjects.length === 0) {
				return passThrough(JSON.stringify(body));
			}

			const answers =
				unit && subjects.length > 0
					? await registry.claim({ unit, requests: subjects.map((s) => s.request) })
					: [];
			const created = new Map<string, { id: string; rev: string }>();
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
					registry.lookups.reserveLookup({ login: account.login, unitId: account.unitId, ip }).ok;
				refused.set(
					subject.index,
					named ? { reason: refusalReason(answer.unitName) } : { reason: RETRY_LATER, retry: true }
				);
			});
			// A refused record's history entries (its admission above all) describe a member the
			// unit does not have: they are refused with it and stay on the device with it, to go
			// together once the clash is settled.
			if (bulk && refused.size > 0) {
				const refusedMembers = new Map<string, Refusal>();
				for (const [index, refusal] of refused) {
					const doc = docs[index];
					if (isRecord(doc)) refusedMembers.set(String(doc._id ?? ''), refusal);
				}
				docs.forEach((doc, index) => {
					const memberId = isRecord(doc) && doc.type === 'history' ? doc.memberId : undefined;
					const refusal = typeof memberId === 'string' ? refusedMembers.get(memberId) : undefined;
					if (refusal && !refused.has(index)) refused.set(index, refusal);
				});
			}
			const refusal = (index: number): BulkResult => {
				const doc = docs[index];
				const why = refused.get(index)!;
				return {
					id: isRecord(doc) ? String(doc._id ?? '') : '',
					error: 'forbidden',
					reason: why.reason,
					...(why.retry ? { retry: true } : {})
				};
			};

			if (!bulk) {
				if (refused.size > 0) {
					sendError(res, { status: 403, error: 'forbidden', reason: refusal(0).reason! });
					return;
				}
				const answer = await forward(JSON.stringify(body));
				if (!answer) {
					await registry.rollback([...created.values()]);
					return;
				}
				if (answer.status >= 300) await registry.rollback([...created.values()]);
				res.status(answer.status).type(answer.contentType).send(answer.text);
				return;
			}

			const kept = docs.filter((_doc, index) => !refused.has(index));
			const newEdits = body.new_edits !== false;
			let upstream: BulkResult[] = [];
			let status = 201;
			if (kept.length > 0) {
				const answer = await forward(JSON.stringify({ ...body, docs: kept }));
				if (!answer) {
					await registry.rollback([...created.values()]);
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
					await registry.rollback([...created.values()]);
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
					: kept
							.map((doc) => (isRecord(doc) ? String(doc._id) : ''))
							.filter((id) => !failed.has(id))
			);
			await registry.rollback(
				[...created].filter(([memberId]) => !storedIds.has(memberId)).map(([, claim]) => claim)
			);

			// The answer in CouchDB's shape: with new_edits one row per document in order, without it
			// only the errors.
			let merged: BulkResult[];
			if (newEdits) {
				merged = [];
				let next = 0;
				docs.forEach((_doc, index) => {
					merged.push(refused.has(index) ? refusal(index) : (upstream[next++] ?? {}));
				});
			} else {
				merged = [...upstream, ...[...refused.keys()].map(refusal)];
			}
			res.status(status).json(merged);
		}
	};
}
